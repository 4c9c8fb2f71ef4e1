//! A one-line text editor: the buffer of the field being edited and its cursor.

use unicode_width::UnicodeWidthChar;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TextInput {
    chars: Vec<char>,
    /// Cursor position in characters (0..=len).
    cursor: usize,
}

impl TextInput {
    /// The editing keys every text field shares (readline's Ctrl-A/E/U among them):
    /// false when `key` is not one of them, for the caller to handle.
    pub fn edit_key(&mut self, key: &crossterm::event::KeyEvent) -> bool {
        use crossterm::event::{KeyCode, KeyModifiers};
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => self.clear(),
            KeyCode::Char('a') if ctrl => self.home(),
            KeyCode::Char('e') if ctrl => self.end(),
            KeyCode::Char(c) if !ctrl => self.insert(c),
            KeyCode::Backspace => self.backspace(),
            KeyCode::Delete => self.delete(),
            KeyCode::Left => self.left(),
            KeyCode::Right => self.right(),
            KeyCode::Home => self.home(),
            KeyCode::End => self.end(),
            _ => return false,
        }
        true
    }

    /// A buffer holding `text`, with the cursor at its end.
    pub fn new(text: &str) -> TextInput {
        let chars: Vec<char> = text.chars().collect();
        let cursor = chars.len();
        TextInput { chars, cursor }
    }
    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }
    pub fn cursor(&self) -> usize {
        self.cursor
    }
    /// Display columns before the cursor: CJK characters take two.
    pub fn cursor_column(&self) -> usize {
        self.chars[..self.cursor]
            .iter()
            .map(|c| c.width().unwrap_or(0))
            .sum()
    }
    /// Pasted text at the cursor, as typed characters: a field is one line, so line breaks,
    /// tabs and other control characters (a paste's trailing newline, a terminal escape
    /// carried along) are dropped rather than inserted.
    pub fn paste(&mut self, text: &str) {
        for c in text.chars().filter(|c| !c.is_control()) {
            self.insert(c);
        }
    }
    pub fn insert(&mut self, c: char) {
        self.chars.insert(self.cursor, c);
        self.cursor += 1;
    }
    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            self.chars.remove(self.cursor);
        }
    }
    pub fn delete(&mut self) {
        if self.cursor < self.chars.len() {
            self.chars.remove(self.cursor);
        }
    }
    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }
    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.chars.len());
    }
    pub fn home(&mut self) {
        self.cursor = 0;
    }
    pub fn end(&mut self) {
        self.cursor = self.chars.len();
    }
    /// Ctrl-U: clear the line (as readline does before the cursor; here the whole line,
    /// because a field is short and retyping it is the common case).
    pub fn clear(&mut self) {
        self.chars.clear();
        self.cursor = 0;
    }
}
