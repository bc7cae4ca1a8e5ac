//! The commands the windows may call (each needs its `allow-…` permission in a window's
//! capability): one line each over `DeskApp`; errors reach the UI as `{code, message}`. The
//! desk's state is pushed, not polled: `desk_watch` and `screen_watch` take a channel and send
//! the core's view on it now and on every change.

use passkey_desk_core::app::{
    ConnectionReport, CoverageView, DeskApp, DeskView, DeviceView, ImportView, LinkView,
    MonitorView, OrgView, PasskeyCount, PublicView, QueueView, SavedPng, SessionView, SettingsView,
    UserRow,
};
use passkey_desk_core::audit::{AuditEntry, AuditFilter};
use passkey_desk_core::client::Authenticator;
use passkey_desk_core::links::BulkSend;
use passkey_desk_core::{ErrorReport, Org, Passkey, User};
use tauri::ipc::Channel;
use tauri::{State, WebviewWindow};
use tokio::sync::watch;

use crate::host::KIOSK;

type Answer<T> = Result<T, ErrorReport>;

fn report(e: passkey_desk_core::Error) -> ErrorReport {
    e.to_report()
}

/// Sends `views` on `channel` now and on every change, until the window is gone.
fn forward<T: Clone + serde::Serialize + Send + Sync + 'static>(
    mut views: watch::Receiver<T>,
    channel: Channel<T>,
    shape: impl Fn(T) -> T + Send + 'static,
) {
    tauri::async_runtime::spawn(async move {
        loop {
            let view = shape(views.borrow_and_update().clone());
            if channel.send(view).is_err() || views.changed().await.is_err() {
                return;
            }
        }
    });
}

#[tauri::command]
pub fn settings_get(app: State<'_, DeskApp>) -> SettingsView {
    app.settings_get()
}

#[tauri::command]
pub async fn settings_save(
    app: State<'_, DeskApp>,
    settings: SettingsView,
) -> Answer<SettingsView> {
    app.settings_save(settings).await.map_err(report)
}

#[tauri::command]
pub async fn connection_test(
    app: State<'_, DeskApp>,
    settings: SettingsView,
) -> Answer<ConnectionReport> {
    app.connection_test(settings).await.map_err(report)
}

#[tauri::command]
pub async fn session_restore(app: State<'_, DeskApp>) -> Answer<Option<SessionView>> {
    app.session_restore().await.map_err(report)
}

#[tauri::command]
pub async fn sign_in_browser(app: State<'_, DeskApp>) -> Answer<SessionView> {
    app.sign_in_browser().await.map_err(report)
}

#[tauri::command]
pub async fn sign_in_device_start(app: State<'_, DeskApp>) -> Answer<DeviceView> {
    app.sign_in_device_start().await.map_err(report)
}

#[tauri::command]
pub async fn sign_in_device_finish(app: State<'_, DeskApp>) -> Answer<SessionView> {
    app.sign_in_device_finish().await.map_err(report)
}

#[tauri::command]
pub async fn sign_in_cancel(app: State<'_, DeskApp>) -> Answer<()> {
    app.sign_in_cancel().await;
    Ok(())
}

#[tauri::command]
pub async fn sign_out(app: State<'_, DeskApp>) -> Answer<()> {
    app.sign_out().await.map_err(report)
}

#[tauri::command]
pub async fn orgs_list(app: State<'_, DeskApp>, refresh: Option<bool>) -> Answer<Vec<Org>> {
    app.orgs_list(refresh.unwrap_or(false))
        .await
        .map_err(report)
}

#[tauri::command]
pub async fn org_current(app: State<'_, DeskApp>) -> Answer<Option<OrgView>> {
    app.org_current().await.map_err(report)
}

#[tauri::command]
pub async fn org_select(app: State<'_, DeskApp>, org_id: String) -> Answer<OrgView> {
    app.org_select(&org_id).await.map_err(report)
}

#[tauri::command]
pub async fn users_search(app: State<'_, DeskApp>, query: String) -> Answer<Vec<UserRow>> {
    app.users_search(&query).await.map_err(report)
}

/// The passkey counts of the last search's users, asked once the query has settled.
#[tauri::command]
pub async fn passkey_counts(app: State<'_, DeskApp>) -> Answer<Vec<PasskeyCount>> {
    app.passkey_counts().await.map_err(report)
}

/// Starts counting the current org's passkey coverage (pushed with the desk's view).
#[tauri::command]
pub async fn coverage_start(app: State<'_, DeskApp>) -> Answer<CoverageView> {
    app.coverage_start().map_err(report)
}

/// Stops the running coverage count.
#[tauri::command]
pub fn coverage_stop(app: State<'_, DeskApp>) -> Answer<()> {
    app.coverage_stop().map_err(report)
}

/// Asks ZITADEL to email a link to everyone the count found without a passkey.
#[tauri::command]
pub async fn coverage_send(
    app: State<'_, DeskApp>,
    verified: Option<Vec<String>>,
) -> Answer<CoverageView> {
    app.coverage_send(&verified.unwrap_or_default())
        .await
        .map_err(report)
}

/// The passkeys of a person of the current org.
#[tauri::command]
pub async fn passkeys_list(app: State<'_, DeskApp>, user_id: String) -> Answer<Vec<Passkey>> {
    app.passkeys_list(&user_id).await.map_err(report)
}

/// Removes one of a person's passkeys (audited); answers the passkeys left.
#[tauri::command]
pub async fn passkey_remove(
    app: State<'_, DeskApp>,
    user_id: String,
    passkey_id: String,
) -> Answer<Vec<Passkey>> {
    app.passkey_remove(&user_id, &passkey_id)
        .await
        .map_err(report)
}

#[tauri::command]
pub async fn user_select(app: State<'_, DeskApp>, user_id: String) -> Answer<UserRow> {
    app.user_select(&user_id).await.map_err(report)
}

#[tauri::command]
pub async fn back_to_search(app: State<'_, DeskApp>) -> Answer<()> {
    app.back_to_search().await.map_err(report)
}

/// A new link for a person whose old device goes: its passkeys are removed once the new one
/// is registered, or at once when it was stolen.
#[tauri::command]
pub async fn link_replace(
    app: State<'_, DeskApp>,
    user_id: String,
    passkey_ids: Vec<String>,
    stolen: bool,
    authenticator: Option<Authenticator>,
    verified: Option<Vec<String>>,
) -> Answer<LinkView> {
    app.link_replace(
        &user_id,
        &passkey_ids,
        stolen,
        authenticator.unwrap_or_default(),
        &verified.unwrap_or_default(),
    )
    .await
    .map_err(report)
}

#[tauri::command]
pub async fn link_create(
    app: State<'_, DeskApp>,
    user_id: String,
    authenticator: Option<Authenticator>,
    verified: Option<Vec<String>>,
) -> Answer<LinkView> {
    app.link_create(
        &user_id,
        authenticator.unwrap_or_default(),
        &verified.unwrap_or_default(),
    )
    .await
    .map_err(report)
}

#[tauri::command]
pub async fn link_close(app: State<'_, DeskApp>) -> Answer<()> {
    app.link_close().await.map_err(report)
}

// Async: a clipboard timer is started on the runtime.
#[tauri::command]
pub async fn link_copy(app: State<'_, DeskApp>) -> Answer<()> {
    app.link_copy().map_err(report)
}

#[tauri::command]
pub fn link_email(app: State<'_, DeskApp>, confirmed: Option<bool>) -> Answer<()> {
    app.link_email(confirmed.unwrap_or(false)).map_err(report)
}

#[tauri::command]
pub fn link_save_png(app: State<'_, DeskApp>) -> Answer<SavedPng> {
    app.link_save_png().map_err(report)
}

#[tauri::command]
pub fn link_print(app: State<'_, DeskApp>) -> Answer<()> {
    app.link_print().map_err(report)
}

#[tauri::command]
pub async fn link_send(
    app: State<'_, DeskApp>,
    user_id: String,
    verified: Option<Vec<String>>,
) -> Answer<User> {
    app.link_send(&user_id, &verified.unwrap_or_default())
        .await
        .map_err(report)
}

// ---- the enrollment day's queue -----------------------------------------------------------

/// Reads a roster (the file's text as the window read it) and looks everyone up.
#[tauri::command]
pub async fn queue_import(app: State<'_, DeskApp>, roster: String) -> Answer<ImportView> {
    app.queue_import(roster.as_bytes()).await.map_err(report)
}

#[tauri::command]
pub async fn queue_import_accept(app: State<'_, DeskApp>) -> Answer<QueueView> {
    app.queue_import_accept().await.map_err(report)
}

#[tauri::command]
pub async fn queue_add(app: State<'_, DeskApp>, user_id: String) -> Answer<QueueView> {
    app.queue_add(&user_id).await.map_err(report)
}

#[tauri::command]
pub async fn queue_next(app: State<'_, DeskApp>) -> Answer<UserRow> {
    app.queue_next().await.map_err(report)
}

#[tauri::command]
pub async fn queue_skip(app: State<'_, DeskApp>, user_id: String) -> Answer<QueueView> {
    app.queue_skip(&user_id).await.map_err(report)
}

#[tauri::command]
pub async fn queue_no_show(app: State<'_, DeskApp>, user_id: String) -> Answer<QueueView> {
    app.queue_no_show(&user_id).await.map_err(report)
}

#[tauri::command]
pub async fn queue_back(app: State<'_, DeskApp>, user_id: String) -> Answer<QueueView> {
    app.queue_back(&user_id).await.map_err(report)
}

#[tauri::command]
pub async fn queue_new(app: State<'_, DeskApp>) -> Answer<()> {
    app.queue_new().await.map_err(report)
}

#[tauri::command]
pub fn queue_export_csv(app: State<'_, DeskApp>) -> Answer<String> {
    app.queue_export_csv().map_err(report)
}

#[tauri::command]
pub async fn queue_send_waiting(
    app: State<'_, DeskApp>,
    verified: Option<Vec<String>>,
) -> Answer<BulkSend> {
    app.queue_send_waiting(&verified.unwrap_or_default())
        .await
        .map_err(report)
}

/// The identity checklist of an org (the settings screen).
#[tauri::command]
pub async fn identity_checks_set(
    app: State<'_, DeskApp>,
    org_id: String,
    items: Vec<String>,
) -> Answer<Vec<String>> {
    app.identity_checks_set(&org_id, &items)
        .await
        .map_err(report)
}

/// The admin's window follows the desk: its view now and on every change.
#[tauri::command]
pub async fn desk_watch(app: State<'_, DeskApp>, on_change: Channel<DeskView>) -> Answer<()> {
    forward(app.watch_desk(), on_change, |view| view);
    Ok(())
}

#[tauri::command]
pub fn desk_activity(app: State<'_, DeskApp>) {
    app.desk_activity()
}

/// A public window follows the public screen; only the kiosk's window hears how to unlock.
#[tauri::command]
pub async fn screen_watch<R: tauri::Runtime>(
    window: WebviewWindow<R>,
    app: State<'_, DeskApp>,
    on_change: Channel<PublicView>,
) -> Answer<()> {
    let kiosk = window.label() == KIOSK;
    forward(app.watch_public(), on_change, move |mut view| {
        if !kiosk {
            view.unlock = None;
        }
        view
    });
    Ok(())
}

#[tauri::command]
pub fn screen_activity(app: State<'_, DeskApp>) {
    app.screen_activity()
}

#[tauri::command]
pub fn presenter_monitors(app: State<'_, DeskApp>) -> Answer<Vec<MonitorView>> {
    app.presenter_monitors().map_err(report)
}

// Async: a window is created on the main thread while this command waits off it.
#[tauri::command]
pub async fn presenter_open(
    app: State<'_, DeskApp>,
    monitor: Option<String>,
) -> Answer<MonitorView> {
    app.presenter_open(monitor.as_deref()).await.map_err(report)
}

#[tauri::command]
pub async fn presenter_close(app: State<'_, DeskApp>) -> Answer<()> {
    app.presenter_close();
    Ok(())
}

// The kiosk commands are async: they turn windows, which happens on the main thread.
#[tauri::command]
pub async fn kiosk_enter(app: State<'_, DeskApp>) -> Answer<()> {
    app.kiosk_enter().map_err(report)
}

#[tauri::command]
pub async fn kiosk_lock(app: State<'_, DeskApp>) -> Answer<()> {
    app.kiosk_lock();
    Ok(())
}

#[tauri::command]
pub async fn kiosk_leave(app: State<'_, DeskApp>) -> Answer<()> {
    app.kiosk_leave().map_err(report)
}

#[tauri::command]
pub fn kiosk_pin_set(app: State<'_, DeskApp>, pin: Option<String>) -> Answer<SettingsView> {
    app.kiosk_pin_set(pin.as_deref()).map_err(report)
}

#[tauri::command]
pub async fn kiosk_unlock_pin(app: State<'_, DeskApp>, pin: String) -> Answer<()> {
    app.kiosk_unlock_pin(&pin).map_err(report)
}

#[tauri::command]
pub async fn kiosk_unlock_device_start(app: State<'_, DeskApp>) -> Answer<DeviceView> {
    app.kiosk_unlock_device_start().await.map_err(report)
}

#[tauri::command]
pub async fn kiosk_unlock_device_finish(app: State<'_, DeskApp>) -> Answer<()> {
    app.kiosk_unlock_device_finish().await.map_err(report)
}

#[tauri::command]
pub async fn kiosk_unlock_cancel(app: State<'_, DeskApp>) -> Answer<()> {
    app.kiosk_unlock_cancel().await;
    Ok(())
}

#[tauri::command]
pub fn audit_list(app: State<'_, DeskApp>, filter: AuditFilter) -> Answer<Vec<AuditEntry>> {
    app.audit_list(filter).map_err(report)
}

#[tauri::command]
pub fn audit_export_csv(app: State<'_, DeskApp>, filter: AuditFilter) -> Answer<String> {
    app.audit_export_csv(filter).map_err(report)
}

/// The first screen is painted: its time since the process started goes to the log (the
/// startup figure `scripts/bench` reads, and a hint when a desk starts slowly).
#[tauri::command]
pub fn ui_ready() {
    tracing::info!(
        ms = crate::started().elapsed().as_millis() as u64,
        "first screen painted"
    );
}
