//! Country codes as filters take them: ISO 3166-1 alpha-2, checked before any statement runs.
//!
//! A code that cannot be one (`XX1`, `Poland`) once matched nothing and answered an empty list,
//! which a client cannot tell from a country without records; it is now `BAD_USER_INPUT` naming
//! the argument. Only the shape is checked, as the seed loader checks it: two ASCII letters. A
//! well-formed code no country has (`QQ`) matches nothing, like a country without records.
//! Lowercase is accepted and read as uppercase (`pl` is `PL`), since the codes are case-free in
//! practice and stored in uppercase.

use super::error::{StoreError, excerpt};

/// `codes` in uppercase, or a `BAD_USER_INPUT` naming `field` and the first code that cannot be
/// a country code.
pub fn checked(field: &str, codes: &[String]) -> Result<Vec<String>, StoreError> {
    codes
        .iter()
        .map(|code| {
            if code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
                Ok(code.to_ascii_uppercase())
            } else {
                Err(StoreError::invalid(
                    field,
                    format!(
                        "\"{}\" is not an ISO 3166-1 alpha-2 country code such as \"PL\"",
                        excerpt(code)
                    ),
                ))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_letters_in_either_case_are_codes_and_nothing_else_is() {
        let codes = |list: &[&str]| list.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            checked("countries", &codes(&["PL", "md", "Ua"])).unwrap(),
            codes(&["PL", "MD", "UA"])
        );
        for bad in ["XX1", "P", "", "POL", "P1", "Pł", " PL"] {
            let error = checked("filter.countries", &codes(&["PL", bad])).unwrap_err();
            assert_eq!(error.code(), "BAD_USER_INPUT", "{bad:?}");
            assert!(
                error.message().contains("filter.countries"),
                "{}",
                error.message()
            );
        }
    }
}
