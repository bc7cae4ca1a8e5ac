// The app's commands, in one list, by the windows that may call them. Adding a command means
// adding it here (and writing it in commands.rs): `build.rs` gives each its `allow-…`
// permission and writes permissions/windows.toml, one permission set per kind of window, which
// the capabilities in capabilities/ grant (main.json: `admin-window`, presenter.json:
// `presenter-window`, kiosk.json: `kiosk-window`); `handler()` in lib.rs registers exactly
// these. Included by both with `include!`, so it is a macro.
macro_rules! with_commands {
    ($then:ident) => {
        $then! {
            // The admin's window (main) and nothing else.
            admin: [
                settings_get,
                settings_save,
                connection_test,
                session_restore,
                sign_in_browser,
                sign_in_device_start,
                sign_in_device_finish,
                sign_in_cancel,
                sign_out,
                orgs_list,
                org_current,
                org_select,
                users_search,
                passkey_counts,
                passkeys_list,
                passkey_remove,
                coverage_start,
                coverage_stop,
                coverage_send,
                user_select,
                back_to_search,
                link_create,
                link_replace,
                link_close,
                link_copy,
                link_email,
                link_save_png,
                link_print,
                link_send,
                desk_watch,
                desk_activity,
                presenter_monitors,
                presenter_open,
                presenter_close,
                kiosk_enter,
                kiosk_lock,
                kiosk_leave,
                kiosk_pin_set,
                audit_list,
                audit_export_csv,
                queue_import,
                queue_import_accept,
                queue_add,
                queue_next,
                queue_skip,
                queue_no_show,
                queue_back,
                queue_new,
                queue_export_csv,
                queue_send_waiting,
                identity_checks_set,
                ui_ready
            ],
            // Every window that faces the public (presenter, kiosk): it follows the public
            // screen and reports a touch.
            public: [screen_watch, screen_activity],
            // The kiosk's window besides: an operator unlocks the admin side.
            unlock: [
                kiosk_unlock_pin,
                kiosk_unlock_device_start,
                kiosk_unlock_device_finish,
                kiosk_unlock_cancel
            ]
        }
    };
}

/// The commands by the windows that may call them, as names.
#[derive(Clone, Copy, Debug)]
pub struct CommandGroups {
    /// The admin's window only.
    pub admin: &'static [&'static str],
    /// Every window that faces the public.
    pub public: &'static [&'static str],
    /// The kiosk's window besides.
    pub unlock: &'static [&'static str],
}

macro_rules! command_groups {
    (
        admin: [$($admin:ident),* $(,)?],
        public: [$($public:ident),* $(,)?],
        unlock: [$($unlock:ident),* $(,)?] $(,)?
    ) => {
        CommandGroups {
            admin: &[$(stringify!($admin)),*],
            public: &[$(stringify!($public)),*],
            unlock: &[$(stringify!($unlock)),*],
        }
    };
}
