//! What the app remembers between runs that is neither a setting nor a secret: the last
//! organisation chosen on each instance, and the presenter's monitor.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Default, Serialize, Deserialize)]
struct File {
    #[serde(default)]
    last_org: BTreeMap<String, String>,
    /// The monitor the presenter window goes to.
    presenter_monitor: Option<String>,
}

pub(crate) struct Preferences {
    path: PathBuf,
}

impl Preferences {
    pub(crate) fn at(path: PathBuf) -> Preferences {
        Preferences { path }
    }

    fn read(&self) -> Result<File> {
        match std::fs::read_to_string(&self.path) {
            // A damaged file only loses the remembered org.
            Ok(text) => Ok(toml::from_str(&text).unwrap_or_default()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(File::default()),
            Err(e) => Err(Error::Config(format!(
                "cannot read {}: {e}",
                self.path.display()
            ))),
        }
    }

    fn write(&self, file: &File) -> Result<()> {
        let text = toml::to_string(file).map_err(|e| Error::Config(e.to_string()))?;
        crate::files::write_atomic(&self.path, text.as_bytes())
    }

    pub(crate) fn last_org(&self, instance: &str) -> Result<Option<String>> {
        Ok(self.read()?.last_org.remove(instance))
    }

    pub(crate) fn remember_org(&self, instance: &str, org_id: &str) -> Result<()> {
        let mut file = self.read()?;
        file.last_org
            .insert(instance.to_string(), org_id.to_string());
        self.write(&file)
    }

    pub(crate) fn forget_org(&self, instance: &str) -> Result<()> {
        let mut file = self.read()?;
        if file.last_org.remove(instance).is_some() {
            self.write(&file)?;
        }
        Ok(())
    }

    pub(crate) fn presenter_monitor(&self) -> Result<Option<String>> {
        Ok(self.read()?.presenter_monitor)
    }

    pub(crate) fn remember_presenter_monitor(&self, name: &str) -> Result<()> {
        let mut file = self.read()?;
        file.presenter_monitor = Some(name.to_string());
        self.write(&file)
    }
}
