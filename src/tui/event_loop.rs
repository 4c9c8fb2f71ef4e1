//! The event loop: wait on the terminal with a timeout, feed `update`, redraw at most ~30
//! times a second (ratatui diffs frames, so an unchanged screen writes nothing).

use crate::tui::feed::Feeds;
use crate::tui::hangup::{self, Ready};
use crate::tui::install::{Effect, Feed};
use crate::tui::model::Model;
use crate::tui::signals::Flags;
use crate::tui::terminal::{self, TTY_FD, Term};
use crate::tui::update::{Msg, answers_to_save, update};
use crate::tui::view::view;
use crossterm::event::{self, Event};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use std::time::{Duration, Instant};

const FRAME: Duration = Duration::from_millis(33);
/// How long a wait may block when nothing is to be drawn. Signals cut it short.
const IDLE: Duration = Duration::from_millis(250);

/// How the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The model has an outcome.
    Finished,
    /// The terminal went away.
    HungUp,
}

pub fn run(term: &mut Term, m: &mut Model, signals: &Flags, feeds: &Feeds) -> std::io::Result<End> {
    // A seam for the test that the panic hook restores the terminal (tests/tui_pty.rs):
    // there is no other way to make a correct program panic on cue.
    let panic_on_key = std::env::var_os("DSINSTALL_TEST_PANIC_ON_KEY").is_some();
    if let Ok((w, h)) = crossterm::terminal::size() {
        update(m, Msg::Resize(w, h));
    }
    let mut dirty = true;
    let mut last_draw: Option<Instant> = None;
    loop {
        while let Ok(f) = feeds.rx.try_recv() {
            update(m, Msg::Feed(f));
            dirty = true;
        }
        if let Some(effect) = m.run.effect.take() {
            perform(m, feeds, effect);
        }
        if signals.stop_requested() {
            update(m, Msg::Stop);
        }
        if m.outcome.is_some() {
            return Ok(End::Finished);
        }
        if signals.take_resumed() {
            if hangup::hung_up(TTY_FD) {
                return Ok(End::HungUp);
            }
            terminal::resume(term)?;
            dirty = true;
        }
        if signals.take_resized() {
            if let Ok((w, h)) = crossterm::terminal::size() {
                update(m, Msg::Resize(w, h));
            }
            // crossterm saw the SIGWINCH too: let it take it now, while no key is waiting.
            // Taken later, in the same wakeup as a key, it returns the resize and drops the
            // terminal's readiness reported beside it (mio's epoll is edge-triggered), so the
            // key would sit unread until the next one.
            drain(m, panic_on_key)?;
            dirty = true;
        }
        let since = last_draw.map_or(FRAME, |t| t.elapsed());
        // A live run redraws each second without news: a running step's time goes on.
        if m.run.stage.is_some() && !m.run.ended() && since >= Duration::from_secs(1) {
            dirty = true;
        }
        if dirty && since >= FRAME {
            if let Err(e) = draw(term, m) {
                // Writing to a hung-up terminal fails with EIO: that is a hang-up, not a fault.
                return if hangup::hung_up(TTY_FD) {
                    Ok(End::HungUp)
                } else {
                    Err(e)
                };
            }
            dirty = false;
            last_draw = Some(Instant::now());
        }
        // A run or a dry run feeds the channel: look at it every frame.
        let fed = m.run.stage.is_some() && !m.run.ended();
        let timeout = if dirty {
            FRAME - since.min(FRAME)
        } else if fed {
            FRAME
        } else {
            IDLE
        };
        match hangup::wait(TTY_FD, timeout) {
            Ready::HungUp => return Ok(End::HungUp),
            Ready::Timeout | Ready::Interrupted => continue,
            Ready::Input => {}
        }
        // Drain what crossterm has read and parsed: it may hold several events from one read.
        if !drain(m, panic_on_key)? {
            // Input crossterm did not report (a readiness it dropped, see the resize above):
            // it is read with the next key. Pause a frame rather than spin on our poll, which
            // keeps saying ready. Not crossterm's own blocking poll: on a terminal that hangs
            // up meanwhile, its read loop never ends (read returns 0 and it reads again).
            std::thread::sleep(FRAME);
        }
        dirty = true;
    }
}

/// Every event crossterm has ready now, into `update`; whether there was any.
fn drain(m: &mut Model, panic_on_key: bool) -> std::io::Result<bool> {
    let mut any = false;
    while event::poll(Duration::ZERO)? {
        any = true;
        match event::read()? {
            Event::Key(k) => {
                if panic_on_key {
                    panic!("DSINSTALL_TEST_PANIC_ON_KEY is set");
                }
                update(m, Msg::Key(k));
            }
            Event::Resize(w, h) => update(m, Msg::Resize(w, h)),
            Event::Paste(text) => update(m, Msg::Paste(text)),
            _ => {}
        }
        if m.outcome.is_some() {
            break;
        }
    }
    Ok(any)
}

/// Hand what update asked for to a feed thread, with the answers as the run will read
/// them: the demo saves its own in the lab, a real host's are the exported file.
fn perform(m: &mut Model, feeds: &Feeds, effect: Effect) {
    let path = match &feeds.place.lab {
        Some(lab) => lab.join("answers.yaml"),
        None => std::path::PathBuf::from(m.export_path.trim()),
    };
    if let (Some(lab), Effect::DryRun | Effect::Start { .. }) = (&feeds.place.lab, &effect) {
        let v = m.answers.kubernetes.version.clone();
        if let Err(e) = crate::tui::demo_lab::DemoLab::ensure_version(lab, &m.run.faults, &v) {
            update(
                m,
                Msg::Feed(match effect {
                    Effect::DryRun => Feed::DryDone(Err(e)),
                    _ => Feed::StartFailed(e),
                }),
            );
            return;
        }
    }
    let saved = answers_to_save(m, &path).and_then(|(a, _)| {
        if feeds.place.lab.is_some() {
            a.save(&path, false)?;
        }
        Ok(a)
    });
    match saved {
        Ok(a) => feeds.perform(effect, a, path, m.run.faults.clone()),
        Err(e) => update(
            m,
            Msg::Feed(match effect {
                Effect::DryRun => Feed::DryDone(Err(e.to_string())),
                _ => Feed::StartFailed(e.to_string()),
            }),
        ),
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
