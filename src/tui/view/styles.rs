//! The few styles the wizard uses. Meaning never rides on colour alone: every coloured
//! thing also has a marker (`>`, `✗`, `!`, `✓`) or reverse video, so NO_COLOR (which
//! crossterm honours by dropping colours) loses nothing.

use ratatui::style::{Color, Modifier, Style};

pub const MARK_FOCUS: &str = ">";
pub const MARK_ERROR: &str = "✗";
pub const MARK_WARN: &str = "!";
pub const MARK_OK: &str = "✓";

pub fn selected() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}
pub fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}
pub fn dim() -> Style {
    Style::new().add_modifier(Modifier::DIM)
}
pub fn error() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}
pub fn warning() -> Style {
    Style::new().fg(Color::Yellow)
}
pub fn ok() -> Style {
    Style::new().fg(Color::Green)
}
pub fn key() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}
pub fn yaml_key() -> Style {
    Style::new().fg(Color::Cyan)
}
pub fn yaml_comment() -> Style {
    Style::new()
        .fg(Color::DarkGray)
        .add_modifier(Modifier::ITALIC)
}
pub fn added() -> Style {
    Style::new().fg(Color::Green)
}
pub fn removed() -> Style {
    Style::new().fg(Color::Red)
}
