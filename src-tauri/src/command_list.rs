// The app's commands, in one list: `build.rs` writes the permission manifest from it (each
// command needs its `allow-…` permission in a window's capability), and `handler()` in
// lib.rs registers exactly these. Included by both with `include!`, so it is a macro.
// Which window may call which command is decided in capabilities/: main.json (the admin),
// kiosk.json and presenter.json (the public windows).
macro_rules! with_commands {
    ($then:ident) => {
        $then!(
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
            user_select,
            back_to_search,
            link_create,
            link_close,
            link_copy,
            link_email,
            link_save_png,
            link_send,
            desk_watch,
            desk_activity,
            screen_watch,
            screen_activity,
            presenter_monitors,
            presenter_open,
            presenter_close,
            kiosk_enter,
            kiosk_lock,
            kiosk_leave,
            kiosk_pin_set,
            kiosk_unlock_pin,
            kiosk_unlock_device_start,
            kiosk_unlock_device_finish,
            kiosk_unlock_cancel,
            audit_list,
            audit_export_csv,
            ui_ready
        )
    };
}
