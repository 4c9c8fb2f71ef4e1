//! The event loop: poll input with a timeout, feed `update`, redraw at most ~30 times a
//! second (ratatui diffs frames, so an unchanged screen writes nothing).

use crate::tui::model::Model;
use crate::tui::terminal::Term;
use crate::tui::update::{Msg, update};
use crate::tui::view::view;
use crossterm::event::{self, Event};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const FRAME: Duration = Duration::from_millis(33);
/// How long a poll may block: the longest a signal waits to be noticed.
const IDLE: Duration = Duration::from_millis(100);

pub fn run(term: &mut Term, m: &mut Model, stop: &AtomicBool) -> std::io::Result<()> {
    // A seam for the test that the panic hook restores the terminal (tests/tui_pty.rs):
    // there is no other way to make a correct program panic on cue.
    let panic_on_key = std::env::var_os("DSINSTALL_TEST_PANIC_ON_KEY").is_some();
    if let Ok((w, h)) = crossterm::terminal::size() {
        update(m, Msg::Resize(w, h));
    }
    let mut dirty = true;
    let mut last_draw: Option<Instant> = None;
    loop {
        if stop.load(Ordering::Relaxed) {
            update(m, Msg::Stop);
        }
        if m.outcome.is_some() {
            return Ok(());
        }
        let since = last_draw.map_or(FRAME, |t| t.elapsed());
        if dirty && since >= FRAME {
            draw(term, m)?;
            dirty = false;
            last_draw = Some(Instant::now());
        }
        let timeout = if dirty {
            FRAME - since.min(FRAME)
        } else {
            IDLE
        };
        if !event::poll(timeout)? {
            continue;
        }
        match event::read()? {
            Event::Key(k) => {
                if panic_on_key {
                    panic!("DSINSTALL_TEST_PANIC_ON_KEY is set");
                }
                update(m, Msg::Key(k));
                dirty = true;
            }
            Event::Resize(w, h) => {
                update(m, Msg::Resize(w, h));
                dirty = true;
            }
            _ => {}
        }
    }
}

fn draw(term: &mut Term, m: &Model) -> std::io::Result<()> {
    // Synchronized updates: terminals that know them show the frame at once (less flicker
    // over slow links); the others ignore the sequence.
    crossterm::queue!(term.backend_mut(), BeginSynchronizedUpdate)?;
    term.draw(|f| view(f, m))?;
    crossterm::execute!(term.backend_mut(), EndSynchronizedUpdate)?;
    Ok(())
}
