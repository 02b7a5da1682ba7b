//! Escaping log text for terminals: control and escape sequences are shown, never sent.

use std::borrow::Cow;

/// Replaces C0 controls (except tab and newline), DEL and C1 controls with visible `\xNN` / `\u{NN}`
/// escapes, so log content cannot drive the terminal (no CSI, OSC or BEL injection).
pub fn escape_control(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_dangerous) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_dangerous(c) {
            if (c as u32) < 0x80 {
                out.push_str(&format!("\\x{:02x}", c as u32));
            } else {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn is_dangerous(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n') || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202e}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible() {
        assert_eq!(escape_control("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(escape_control("\x1b[31mred\x07"), "\\x1b[31mred\\x07");
        assert_eq!(escape_control("\u{9b}2J \u{202e}"), "\\u{9b}2J \\u{202e}");
    }
}
