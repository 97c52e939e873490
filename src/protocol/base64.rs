//! The base64 seam, for binary packets in polling bodies (`b<base64>`).
//!
//! In the browser (wasm32), the page's own `atob`/`btoa`; elsewhere the
//! `base64` crate. Standard alphabet; encoding pads, decoding takes text
//! with or without padding, as the reference parser does.

/// `bytes` in standard base64, with padding, appended to `out`.
pub(crate) fn encode_into(bytes: &[u8], out: &mut String) {
    platform::encode_into(bytes, out);
}

/// The bytes `text` encodes; the error, in the decoder's words, says what
/// is wrong with it.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, String> {
    platform::decode(text)
}

#[cfg(target_arch = "wasm32")]
mod platform {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// `atob`: base64 to a "binary string", one char per byte.
        #[wasm_bindgen(catch, js_name = atob)]
        fn atob(text: &str) -> Result<String, JsValue>;
        /// `btoa`: a "binary string" (chars up to U+00FF) to base64.
        #[wasm_bindgen(catch, js_name = btoa)]
        fn btoa(binary: &str) -> Result<String, JsValue>;
    }

    pub(super) fn encode_into(bytes: &[u8], out: &mut String) {
        let binary: String = bytes.iter().map(|&b| char::from(b)).collect();
        // Every char is at most U+00FF, which btoa always takes.
        if let Ok(text) = btoa(&binary) {
            out.push_str(&text);
        }
    }

    pub(super) fn decode(text: &str) -> Result<Vec<u8>, String> {
        let binary = atob(text).map_err(|e| crate::js_error::js_error_text(&e, "not base64"))?;
        // atob yields chars up to U+00FF only: one byte each.
        Ok(binary.chars().map(|c| c as u8).collect())
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod platform {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use base64::Engine as _;

    /// Standard base64; encodes with padding, decodes with or without it.
    const BASE64: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );

    pub(super) fn encode_into(bytes: &[u8], out: &mut String) {
        BASE64.encode_string(bytes, out);
    }

    pub(super) fn decode(text: &str) -> Result<Vec<u8>, String> {
        BASE64.decode(text).map_err(|e| e.to_string())
    }
}
