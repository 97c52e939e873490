//! The fast path of [`parse`](super::parse): JSON with no escapes and no
//! fractions, read in Rust.
//!
//! Most Socket.IO traffic is arrays and objects of plain strings and whole
//! numbers (`["message",{"room":"lobby","text":"hi"}]`, `[{"ok":true,"seq":7}]`).
//! Reading those here spares the browser path two copies of the text across
//! the JS boundary and a call into JS per value. Anything else (an escape,
//! a fraction or exponent, a whole number past 2^53, a control character,
//! nesting past [`MAX_DEPTH`](super::MAX_DEPTH), or any error) makes this
//! give up with `None`, and the full parser (`JSON.parse` in the browser,
//! serde_json elsewhere) reads the text and words any error. So this never
//! decides what is valid JSON; it only reads what is plainly so.

use std::collections::BTreeMap;

use serde_json::Number;

use super::{Value, MAX_DEPTH};

/// The value `text` holds, if it is plain JSON; `None` otherwise.
pub(super) fn parse(text: &str) -> Option<Value> {
    let mut reader = Reader { text, at: 0 };
    let value = reader.value(0)?;
    reader.skip_space();
    (reader.at == text.len()).then_some(value)
}

struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Consumes `word` if the text continues with it.
    fn eat(&mut self, word: &str) -> Option<()> {
        let rest = self.text.get(self.at..)?;
        rest.starts_with(word).then(|| self.at += word.len())
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        self.skip_space();
        match self.peek()? {
            b'"' => self.string().map(Value::String),
            b'[' if depth < MAX_DEPTH => self.array(depth),
            b'{' if depth < MAX_DEPTH => self.object(depth),
            b'n' => self.eat("null").map(|()| Value::Null),
            b't' => self.eat("true").map(|()| Value::Bool(true)),
            b'f' => self.eat("false").map(|()| Value::Bool(false)),
            b'-' | b'0'..=b'9' => self.integer(),
            _ => None,
        }
    }

    /// A string with no escape and no control character.
    fn string(&mut self) -> Option<String> {
        self.at += 1; // the opening quote
        let start = self.at;
        self.at += super::plain_run(self.text.as_bytes().get(start..)?);
        if self.peek()? != b'"' {
            return None; // an escape or a control character
        }
        // Both ends sit next to an ASCII quote: char boundaries.
        let s = self.text.get(start..self.at)?.to_owned();
        self.at += 1;
        Some(s)
    }

    /// A whole number within ±2^53 (JSON's grammar: no leading zeros).
    fn integer(&mut self) -> Option<Value> {
        const SAFE: u64 = (1 << 53) - 1;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.at += 1;
        }
        let start = self.at;
        let mut n: u64 = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
            self.at += 1;
        }
        let digits = self.at - start;
        let leading_zero = digits > 1 && self.text.as_bytes().get(start) == Some(&b'0');
        if digits == 0
            || leading_zero
            || n > SAFE
            || matches!(self.peek(), Some(b'.' | b'e' | b'E'))
        {
            return None;
        }
        Some(Value::Number(if negative {
            // -0 is the float -0.0 in JSON.parse; leave it to the full parser.
            if n == 0 {
                return None;
            }
            Number::from(-i64::try_from(n).ok()?)
        } else {
            Number::from(n)
        }))
    }

    /// The items of an array or object up to `close`, each read by `item`,
    /// separated by commas (the opening bracket already seen).
    fn items(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.at += 1;
        self.skip_space();
        if self.peek()? == close {
            self.at += 1;
            return Some(());
        }
        loop {
            item(self)?;
            self.skip_space();
            match self.peek()? {
                b',' => self.at += 1,
                c if c == close => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Value> {
        let mut items = Vec::new();
        self.items(b']', |r| {
            items.push(r.value(depth + 1)?);
            Some(())
        })?;
        Some(Value::Array(items))
    }

    fn object(&mut self, depth: usize) -> Option<Value> {
        let mut members = BTreeMap::new();
        self.items(b'}', |r| {
            r.skip_space();
            if r.peek()? != b'"' {
                return None;
            }
            let key = r.string()?;
            r.skip_space();
            r.eat(":")?;
            // A repeated key keeps its last value, as JSON.parse and serde_json do.
            members.insert(key, r.value(depth + 1)?);
            Some(())
        })?;
        Some(Value::Object(members))
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_plain_json_as_the_full_parser_does() {
        for text in [
            r#"["message",{"room":"lobby","id":"m-1","text":"hello there, how are you?"}]"#,
            r#"[{"ok":true,"seq":42,"none":null,"no":false,"list":[],"map":{}}]"#,
            " [ 1 , -2 , 9007199254740991 , \"日本 🎉\" ] ",
            r#"{"a":1,"a":2}"#,
            "0",
        ] {
            let full: Value = serde_json::from_str(text).expect("valid JSON");
            assert_eq!(parse(text), Some(full), "{text}");
        }
    }

    #[test]
    fn gives_up_on_what_it_does_not_read_and_on_errors() {
        for text in [
            r#"["a\"b"]"#,
            r#"["tab	"]"#,
            "[1.5]",
            "[1e3]",
            "[-0]",
            "[9007199254740992]",
            "[01]",
            "[1,]",
            "[1",
            r#"{"a" 1}"#,
            "[tru]",
            "[] x",
            "",
            &("[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1)),
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
        let deepest = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&deepest).is_some());
    }

    #[test]
    fn a_chat_packet_reads_to_the_expected_value() {
        let text = r#"["message",{"room":"lobby","text":"hi"}]"#;
        assert_eq!(
            parse(text),
            Some(Value::from(
                json!(["message", {"room": "lobby", "text": "hi"}])
            ))
        );
    }

    proptest! {
        /// Whatever it reads, it reads as serde_json does.
        #[test]
        fn never_disagrees_with_serde_json(text in "[\\[\\]{}\",: 0-9a-z\\-.\\\\]{0,40}") {
            if let Some(value) = parse(&text) {
                let full: Result<Value, _> = serde_json::from_str(&text);
                prop_assert_eq!(Some(value), full.ok());
            }
        }

        /// Written values without escapes or floats read back through it.
        #[test]
        fn reads_back_what_the_writer_wrote(
            words in proptest::collection::vec("[a-z ]{0,8}", 0..6),
            numbers in proptest::collection::vec(-1_000_000i64..1_000_000, 0..6),
        ) {
            let value = Value::from(json!({"words": words, "numbers": numbers}));
            let mut text = String::new();
            super::super::write(&mut text, &value);
            prop_assert_eq!(parse(&text), Some(value));
        }
    }
}
