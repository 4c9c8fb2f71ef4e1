//! The kubectl stand-in (written in the next layer).

use crate::sim::Exit;
use crate::sim::state::Ctx;

pub fn main(_ctx: &Ctx, _args: &[String]) -> Exit {
    eprintln!("error: not built yet");
    1
}
