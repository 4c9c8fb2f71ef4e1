//! dsinstall: turn a bare Linux node into the first control-plane node of a dual-stack
//! kubeadm + Calico cluster. The engine (host, answers, plan, render) never imports `tui`.

pub mod answers;
pub mod clock;
pub mod host;
pub mod io;
pub mod message;
pub mod output;
pub mod plan;
pub mod render;
pub mod run;
pub mod sim;
pub mod terminal_text;
pub mod tui;
pub mod verdict;
pub mod verify;
