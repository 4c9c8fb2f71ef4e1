//! Helpers for the wizard's tests: the demo model with a fixed token, keys, drawing.
#![allow(dead_code)]

use crossterm::event::KeyCode;
use dsinstall::answers::Answers;
use dsinstall::render::Templates;
use dsinstall::tui::i18n::Lang;
use dsinstall::tui::model::{Disk, Env, ManifestSource, Model};
use dsinstall::tui::update::{Msg, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// A fixed bootstrap token: snapshots must not change from run to run.
pub const TEST_TOKEN: &str = "abcdef.0123456789abcdef";

/// The demo lab as `--demo` starts it, with a fixed token and `export_path` as the target.
pub fn demo(lang: Lang, export_path: &str) -> Model {
    let env = Env {
        templates: Ok(Templates::embedded()),
        manifest: ManifestSource::Embedded(dsinstall::tui::DEMO_CALICO_MANIFEST),
        bootstrap_token: TEST_TOKEN.into(),
        disk: Disk::Demo,
    };
    Model::new(
        lang,
        dsinstall::host::demo_facts(),
        Answers::seed(),
        env,
        export_path.into(),
        true,
    )
}

pub fn press(m: &mut Model, code: KeyCode) {
    update(m, Msg::key(code));
}

pub fn chars(m: &mut Model, s: &str) {
    for c in s.chars() {
        update(m, Msg::ch(c));
    }
}

pub fn keys(m: &mut Model, codes: &[KeyCode]) {
    for c in codes {
        press(m, *c);
    }
}

/// Focus the field with this label path (answers path) on the current screen.
pub fn focus_path(m: &mut Model, path: &str) {
    for _ in 0..m.fields().len() + 1 {
        if m.focused_field().map(|f| f.path(m)) == Some(path.to_string()) {
            return;
        }
        press(m, KeyCode::Tab);
    }
    panic!("no field {path} on {:?}", m.screen);
}

/// Go to screen `i` (0-based) with the screen keys.
pub fn goto(m: &mut Model, i: usize) {
    while m.screen.index() > i {
        press(m, KeyCode::Left);
    }
    while m.screen.index() < i {
        press(m, KeyCode::Right);
    }
}

/// Draw the model on a test terminal of this size.
pub fn draw(m: &Model, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| dsinstall::tui::view::view(f, m)).unwrap();
    t
}

/// The screen's text, one string per row.
pub fn rows(t: &Terminal<TestBackend>) -> Vec<String> {
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            let mut s = String::new();
            let mut x = 0;
            while x < buf.area.width {
                let sym = buf[(x, y)].symbol();
                s.push_str(sym);
                x += unicode_width::UnicodeWidthStr::width(sym).max(1) as u16;
            }
            s
        })
        .collect()
}
