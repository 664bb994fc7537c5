//! The C# interop (module/Interop, tests/csharp) against the committed header `include/kestrun_rust.h`:
//!
//! - every `kr_*` function of the header has a P/Invoke declaration (`[DllImport]` / `[LibraryImport]`)
//!   in C#, with the same number of parameters and a matching return (`KrStatus` ↔ `KrStatus`, pointer ↔
//!   `IntPtr`/`nint`); module/Interop/Core/KrNative.cs is meant to bind the whole C API, so a function
//!   missing there fails too (unless listed in [`NOT_BOUND_IN_CSHARP`]);
//! - every C# declaration of a `kr_*` entry point names a function of the header;
//! - every C# enum named like a header enum (`KrStatus`, `KrLogLevel`, ...) has exactly the header's
//!   members with the header's values (`KrStatus.NotFound` ↔ `KR_NOT_FOUND`, `KrLogLevel.Debug` ↔
//!   `KR_LOG_LEVEL_DEBUG`); C# `const` fields named `KR_*` have the header's value; a `"KR_*"` string
//!   literal in C# names a header constant (status names come from `kr_status_name`, not copies);
//! - C# structs mirroring header structs (`KrSessionOptionsNative` for `KrSessionOptions`) have as many
//!   fields.
//!
//! The header itself is checked against the Rust sources by tests/header_fresh.rs.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Header functions the C# side deliberately does not bind (none today).
const NOT_BOUND_IN_CSHARP: &[&str] = &[];

/// Header structs and the C# structs that mirror them field for field.
const MIRRORED_STRUCTS: &[(&str, &str)] = &[
    ("KrSessionOptions", "KrSessionOptionsNative"),
    ("KrRouteOptions", "KrRouteOptionsNative"),
    ("KrCallbackPoolStats", "KrCallbackPoolStatsNative"),
];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ---- lexing helpers ---------------------------------------------------------------------------------

/// Source text with comments replaced by spaces (string and char literals kept), and the string literals
/// found (offset in the returned text, content). Handles `//`, `/* */`, "..." with escapes, C# verbatim
/// @"..." and char literals.
fn strip_comments(src: &str, csharp: bool) -> (String, Vec<(usize, String)>) {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut literals = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                if b[i] == b'\n' {
                    out.push('\n');
                }
                i += 1;
            }
            i += 2;
            out.push(' ');
        } else if c == b'"' || (csharp && c == b'@' && b.get(i + 1) == Some(&b'"')) {
            let verbatim = c == b'@';
            let start = if verbatim { i + 2 } else { i + 1 };
            let mut j = start;
            let mut text = String::new();
            while j < b.len() {
                if verbatim && b[j] == b'"' && b.get(j + 1) == Some(&b'"') {
                    text.push('"');
                    j += 2;
                } else if !verbatim && b[j] == b'\\' {
                    text.push_str(&src[j..(j + 2).min(b.len())]);
                    j += 2;
                } else if b[j] == b'"' {
                    break;
                } else {
                    let ch = src[j..].chars().next().unwrap();
                    text.push(ch);
                    j += ch.len_utf8();
                }
            }
            let end = (j + 1).min(b.len());
            literals.push((out.len(), text));
            out.push_str(&src[i..end]);
            i = end;
        } else if c == b'\'' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'\'' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(b.len());
            out.push_str(&src[i..end]);
            i = end;
        } else {
            let ch = src[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    (out, literals)
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The text between the bracket at `open` and its match, and the index after the closing bracket.
fn bracketed(s: &str, open: usize) -> (&str, usize) {
    let b = s.as_bytes();
    let (o, c) = match b[open] {
        b'(' => (b'(', b')'),
        b'[' => (b'[', b']'),
        b'{' => (b'{', b'}'),
        other => panic!("not an opening bracket: {}", other as char),
    };
    let mut depth = 0;
    for (k, &x) in b.iter().enumerate().skip(open) {
        if x == o {
            depth += 1;
        } else if x == c {
            depth -= 1;
            if depth == 0 {
                return (&s[open + 1..k], k + 1);
            }
        }
    }
    panic!("unbalanced {} at byte {open}", o as char);
}

/// Splits at commas outside (), [], {} and <>.
fn split_top_level(s: &str, sep: u8) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (k, &x) in s.as_bytes().iter().enumerate() {
        match x {
            b'(' | b'[' | b'{' | b'<' => depth += 1,
            b')' | b']' | b'}' | b'>' => depth -= 1,
            _ if x == sep && depth == 0 => {
                parts.push(&s[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts.into_iter().map(str::trim).filter(|p| !p.is_empty()).collect()
}

/// Occurrences of the whole word `word` (byte offsets).
fn word_positions(s: &str, word: &str) -> Vec<usize> {
    let b = s.as_bytes();
    s.match_indices(word)
        .map(|(k, _)| k)
        .filter(|&k| (k == 0 || !is_ident_byte(b[k - 1])) && !b.get(k + word.len()).is_some_and(|&x| is_ident_byte(x)))
        .collect()
}

fn parse_int(v: &str) -> Option<i64> {
    let v = v.trim().trim_end_matches(['u', 'U', 'l', 'L']);
    let (neg, v) = match v.strip_prefix('-') {
        Some(rest) => (true, rest.trim()),
        None => (false, v),
    };
    let n = match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(hex) => i64::from_str_radix(&hex.replace('_', ""), 16).ok()?,
        None => v.replace('_', "").parse().ok()?,
    };
    Some(if neg { -n } else { n })
}

/// `NotFound` → `NOT_FOUND`, `KrLogLevel` → `KR_LOG_LEVEL`, `InvalidUtf8` → `INVALID_UTF8`.
fn screaming_snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (k, &ch) in chars.iter().enumerate() {
        if ch.is_ascii_uppercase() && k > 0 {
            let prev = chars[k - 1];
            let next_lower = chars.get(k + 1).is_some_and(|c| c.is_ascii_lowercase());
            if prev.is_ascii_lowercase() || prev.is_ascii_digit() || (prev.is_ascii_uppercase() && next_lower) {
                out.push('_');
            }
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

// ---- the header ---------------------------------------------------------------------------------------

#[derive(Debug)]
struct CFunction {
    params: usize,
    returns_pointer: bool,
    returns_status: bool,
}

struct Header {
    functions: BTreeMap<String, CFunction>,
    /// enum name → (constant → value), in the header's order.
    enums: BTreeMap<String, Vec<(String, i64)>>,
    constants: BTreeMap<String, i64>,
    struct_fields: BTreeMap<String, usize>,
}

fn parse_header(src: &str) -> Header {
    let (text, _) = strip_comments(src, false);
    // Preprocessor lines carry no declarations.
    let text: String = text.lines().filter(|l| !l.trim_start().starts_with('#')).collect::<Vec<_>>().join("\n");
    let b = text.as_bytes();

    let mut functions = BTreeMap::new();
    for (k, _) in text.match_indices("kr_") {
        if k > 0 && is_ident_byte(b[k - 1]) {
            continue;
        }
        let name_end = k + text[k..].bytes().take_while(|&x| is_ident_byte(x)).count();
        let rest = text[name_end..].trim_start();
        if !rest.starts_with('(') {
            continue;
        }
        let open = text.len() - rest.len();
        let (params, _) = bracketed(&text, open);
        let params = split_top_level(params, b',');
        let count = if params == ["void"] { 0 } else { params.len() };
        let decl_start = text[..k].rfind([';', '}']).map_or(0, |p| p + 1);
        let ret = text[decl_start..k].trim();
        functions.insert(
            text[k..name_end].to_string(),
            CFunction { params: count, returns_pointer: ret.ends_with('*'), returns_status: ret == "KrStatus" },
        );
    }

    let mut enums = BTreeMap::new();
    let mut constants = BTreeMap::new();
    for k in word_positions(&text, "enum") {
        let after = &text[k + 4..];
        let name: String = after.trim_start().bytes().take_while(|&x| is_ident_byte(x)).map(char::from).collect();
        let Some(brace) = text[k..].find(['{', ';']).map(|p| p + k) else { continue };
        if name.is_empty() || b[brace] != b'{' {
            continue;
        }
        let (body, _) = bracketed(&text, brace);
        let mut members = Vec::new();
        let mut next = 0i64;
        for item in split_top_level(body, b',') {
            let (ident, value) = match item.split_once('=') {
                Some((i, v)) => {
                    (i.trim(), parse_int(v).unwrap_or_else(|| panic!("header: {name}: bad value in {item:?}")))
                }
                None => (item.trim(), next),
            };
            next = value + 1;
            constants.insert(ident.to_string(), value);
            members.push((ident.to_string(), value));
        }
        enums.insert(name, members);
    }

    let mut struct_fields = BTreeMap::new();
    for k in word_positions(&text, "struct") {
        let after = text[k + 6..].trim_start();
        let name: String = after.bytes().take_while(|&x| is_ident_byte(x)).map(char::from).collect();
        let rest = after[name.len()..].trim_start();
        if name.is_empty() || !rest.starts_with('{') {
            continue;
        }
        let open = text.len() - rest.len();
        let (body, _) = bracketed(&text, open);
        struct_fields.insert(name, split_top_level(body, b';').len());
    }
    Header { functions, enums, constants, struct_fields }
}

// ---- the C# sources -----------------------------------------------------------------------------------

#[derive(Debug)]
struct CsImport {
    file: String,
    method: String,
    params: usize,
    return_type: String,
}

#[derive(Default)]
struct CSharp {
    /// entry point → declarations.
    imports: BTreeMap<String, Vec<CsImport>>,
    /// enum name → [(file, member, value)].
    enums: BTreeMap<String, Vec<(String, String, i64)>>,
    /// `const ... KR_X = n;` → [(file, value)].
    constants: BTreeMap<String, Vec<(String, i64)>>,
    /// "KR_..." string literals → files.
    name_literals: BTreeMap<String, Vec<String>>,
    /// struct name → field count.
    struct_fields: BTreeMap<String, usize>,
}

fn cs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "bin" && name != "obj" && name != "node_modules" {
                cs_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "cs") {
            out.push(path);
        }
    }
}

fn parse_csharp(file: &str, src: &str, cs: &mut CSharp) {
    let (text, literals) = strip_comments(src, true);
    let b = text.as_bytes();
    for (at, lit) in literals {
        let constant_like = lit.starts_with("KR_")
            && lit.len() > 3
            && lit.bytes().all(|x| x.is_ascii_uppercase() || x.is_ascii_digit() || x == b'_');
        // Environment variables (KR_LIB, ...) share the prefix but are not C constants.
        let env_var = text[..at].trim_end().ends_with("EnvironmentVariable(");
        if constant_like && !env_var {
            cs.name_literals.entry(lit).or_default().push(file.to_string());
        }
    }

    // P/Invoke declarations.
    for attr in ["DllImport", "LibraryImport"] {
        for k in word_positions(&text, attr) {
            let Some(open) = text[..k].rfind('[') else { continue };
            if !text[open + 1..k].trim().is_empty() {
                continue;
            }
            let (attr_text, mut at) = bracketed(&text, open);
            let entry_point = attr_text.split_once("EntryPoint").and_then(|(_, rest)| {
                let rest = rest.trim_start().strip_prefix('=')?.trim_start().strip_prefix('"')?;
                Some(rest[..rest.find('"')?].to_string())
            });
            // More attributes may follow ([return: MarshalAs(...)]).
            loop {
                let rest = text[at..].trim_start();
                if !rest.starts_with('[') {
                    break;
                }
                at = bracketed(&text, text.len() - rest.len()).1;
            }
            let paren = at + text[at..].find('(').expect("a P/Invoke method has parameters");
            let head = text[at..paren].trim();
            let mut words: Vec<&str> = head.split_whitespace().collect();
            let method = words.pop().expect("method name").to_string();
            let return_type = words.last().copied().unwrap_or_default().to_string();
            let (params, _) = bracketed(&text, paren);
            let entry = entry_point.unwrap_or_else(|| method.clone());
            if entry.starts_with("kr_") {
                cs.imports.entry(entry).or_default().push(CsImport {
                    file: file.to_string(),
                    method,
                    params: split_top_level(params, b',').len(),
                    return_type,
                });
            }
        }
    }

    // Enums.
    for k in word_positions(&text, "enum") {
        let after = text[k + 4..].trim_start();
        let name: String = after.bytes().take_while(|&x| is_ident_byte(x)).map(char::from).collect();
        let Some(brace) = text[k..].find(['{', ';']).map(|p| p + k) else { continue };
        if name.is_empty() || b[brace] != b'{' {
            continue;
        }
        let (body, _) = bracketed(&text, brace);
        let mut next = 0i64;
        for item in split_top_level(body, b',') {
            // Attributes on members ([Description(...)]) are not values.
            let item = item.rsplit(']').next().unwrap_or(item).trim();
            let (member, value) = match item.split_once('=') {
                Some((m, v)) => (m.trim(), parse_int(v).unwrap_or_else(|| panic!("{file}: enum {name}: {item:?}"))),
                None => (item, next),
            };
            next = value + 1;
            cs.enums.entry(name.clone()).or_default().push((file.to_string(), member.to_string(), value));
        }
    }

    // const fields named KR_*.
    for k in word_positions(&text, "const") {
        let stmt_end = k + text[k..].find(';').unwrap_or(text.len() - k);
        let stmt = &text[k + 5..stmt_end];
        let Some((lhs, value)) = stmt.split_once('=') else { continue };
        let Some(name) = lhs.split_whitespace().last() else { continue };
        if name.starts_with("KR_") {
            let value =
                parse_int(value).unwrap_or_else(|| panic!("{file}: const {name}: value {value:?} is not an integer"));
            cs.constants.entry(name.to_string()).or_default().push((file.to_string(), value));
        }
    }

    // Structs (field counts).
    for k in word_positions(&text, "struct") {
        let after = text[k + 6..].trim_start();
        let name: String = after.bytes().take_while(|&x| is_ident_byte(x)).map(char::from).collect();
        let Some(brace) = text[k..].find(['{', ';', '(']).map(|p| p + k) else { continue };
        if name.is_empty() || b[brace] != b'{' {
            continue;
        }
        let (body, _) = bracketed(&text, brace);
        let fields = split_top_level(body, b';').into_iter().filter(|f| !f.contains('(') && !f.contains('{')).count();
        cs.struct_fields.insert(name, fields);
    }
}

fn load_csharp() -> CSharp {
    let root = crate_dir().join("..");
    let mut files = Vec::new();
    for dir in ["module", "tests/csharp"] {
        cs_files(&root.join(dir), &mut files);
    }
    files.sort();
    assert!(
        files.iter().any(|f| f.ends_with("module/Interop/Core/KrNative.cs")),
        "module/Interop/Core/KrNative.cs not found under {}",
        root.display()
    );
    let mut cs = CSharp::default();
    for path in files {
        let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let rel = path.strip_prefix(&root).unwrap_or(&path).display().to_string();
        parse_csharp(&rel, &src, &mut cs);
    }
    cs
}

fn load_header() -> Header {
    let path = crate_dir().join("include/kestrun_rust.h");
    parse_header(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// The header constant a C# enum member stands for, if any.
fn header_name_of(header: &Header, enum_name: &str, member: &str) -> Option<String> {
    let member = screaming_snake(member);
    [format!("{}_{member}", screaming_snake(enum_name)), format!("KR_{member}")]
        .into_iter()
        .find(|n| header.enums.get(enum_name).is_some_and(|ms| ms.iter().any(|(h, _)| h == n)))
}

/// Everything wrong between `header` and `cs`, one line each.
fn mismatches(header: &Header, cs: &CSharp) -> Vec<String> {
    let mut problems = Vec::new();

    for (name, f) in &header.functions {
        match cs.imports.get(name) {
            None if NOT_BOUND_IN_CSHARP.contains(&name.as_str()) => {}
            None => {
                problems.push(format!("{name}: in the header but no C# P/Invoke declaration (add it to KrNative.cs)"))
            }
            Some(decls) => {
                for d in decls {
                    if d.params != f.params {
                        problems.push(format!(
                            "{name}: {} declares {} parameter(s) ({}), the header has {}",
                            d.file, d.params, d.method, f.params
                        ));
                    }
                    if f.returns_status && d.return_type != "KrStatus" {
                        problems
                            .push(format!("{name}: returns KrStatus in the header, {} in {}", d.return_type, d.file));
                    }
                    if f.returns_pointer && !matches!(d.return_type.as_str(), "IntPtr" | "nint") {
                        problems.push(format!(
                            "{name}: returns a pointer the library owns; {} declares {} (use IntPtr: a marshalled string \
                             would be freed by the runtime)",
                            d.file, d.return_type
                        ));
                    }
                }
            }
        }
    }
    for (name, decls) in &cs.imports {
        if !header.functions.contains_key(name) {
            for d in decls {
                problems.push(format!("{name}: declared in {} but not in the header", d.file));
            }
        }
    }

    for (enum_name, header_members) in &header.enums {
        let Some(members) = cs.enums.get(enum_name) else { continue };
        for (file, member, value) in members {
            match header_name_of(header, enum_name, member) {
                None => {
                    problems.push(format!("{file}: {enum_name}.{member} = {value} has no counterpart in the header"))
                }
                Some(h) => {
                    let expected = header.constants[&h];
                    if *value != expected {
                        problems.push(format!(
                            "{file}: {enum_name}.{member} = {value}, but the header has {h} = {expected}"
                        ));
                    }
                }
            }
        }
        for (h, value) in header_members {
            let covered = members.iter().any(|(_, m, _)| header_name_of(header, enum_name, m).as_deref() == Some(h));
            if !covered {
                problems.push(format!("{enum_name}: the header's {h} = {value} is missing from the C# enum"));
            }
        }
    }

    for (name, defs) in &cs.constants {
        for (file, value) in defs {
            match header.constants.get(name) {
                None => problems.push(format!("{file}: const {name} = {value} is not a header constant")),
                Some(expected) if expected != value => {
                    problems.push(format!("{file}: const {name} = {value}, but the header has {expected}"))
                }
                Some(_) => {}
            }
        }
    }
    for (literal, files) in &cs.name_literals {
        if !header.constants.contains_key(literal) {
            problems.push(format!("{}: string \"{literal}\" is not a header constant", files.join(", ")));
        }
    }

    for (c_struct, cs_struct) in MIRRORED_STRUCTS {
        match (header.struct_fields.get(*c_struct), cs.struct_fields.get(*cs_struct)) {
            (Some(h), Some(c)) if h != c => {
                problems.push(format!("C# struct {cs_struct} has {c} field(s), the header's {c_struct} has {h}"))
            }
            (None, _) => problems.push(format!("struct {c_struct} not found in the header")),
            (_, None) => problems.push(format!("C# struct {cs_struct} (mirror of {c_struct}) not found")),
            _ => {}
        }
    }
    problems
}

#[test]
fn csharp_interop_matches_the_header() {
    let header = load_header();
    assert!(header.functions.len() > 50, "parsed only {} functions from the header", header.functions.len());
    assert!(header.enums.contains_key("KrStatus") && header.constants["KR_INTERNAL"] == 99);
    let cs = load_csharp();
    assert!(cs.imports.len() > 50, "parsed only {} P/Invoke declarations", cs.imports.len());
    assert!(cs.enums.contains_key("KrStatus"), "the C# KrStatus enum was not found");
    let problems = mismatches(&header, &cs);
    assert!(
        problems.is_empty(),
        "the C# interop disagrees with ffi/include/kestrun_rust.h:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn the_check_catches_drift() {
    let header = parse_header(
        "enum KrStatus\n#ifdef __cplusplus\n : int32_t\n#endif\n { KR_OK = 0, /* c */ KR_NOT_FOUND = 1, KR_PANIC = 98 };\n\
         enum KrLogLevel { KR_LOG_LEVEL_VERBOSE = 0, KR_LOG_LEVEL_DEBUG = 1 };\n\
         typedef struct KrSessionOptions { const char *a; int32_t b; } KrSessionOptions;\n\
         typedef struct KrRouteOptions { uint32_t a; void *b; } KrRouteOptions;\n\
         typedef struct KrCallbackPoolStats { uint64_t a; } KrCallbackPoolStats;\n\
         KrStatus kr_a(struct KrServer *s, const char *x);\nKrStatus kr_b(void);\nconst char *kr_name(KrStatus status);\n",
    );
    assert_eq!(header.functions["kr_a"].params, 2);
    assert_eq!(header.functions["kr_b"].params, 0);
    assert!(header.functions["kr_name"].returns_pointer);
    assert_eq!(header.constants["KR_PANIC"], 98);
    assert_eq!(header.struct_fields["KrSessionOptions"], 2);

    let good = r#"
        public enum KrStatus { Ok = 0, NotFound = 1, Panic = 98 }
        public enum KrLogLevel { Verbose, Debug }
        [StructLayout(LayoutKind.Sequential)] public struct KrSessionOptionsNative { public IntPtr A; public int B; }
        [StructLayout(LayoutKind.Sequential)] public struct KrRouteOptionsNative { public uint A; public IntPtr B; }
        [StructLayout(LayoutKind.Sequential)] public struct KrCallbackPoolStatsNative { public ulong A; }
        static class N {
            [DllImport("x", CallingConvention = CallingConvention.Cdecl)]
            public static extern KrStatus kr_a(IntPtr s, ref byte x); // kr_zz(
            [DllImport("x")] public static extern KrStatus kr_b();
            [DllImport("x", EntryPoint = "kr_name")] public static extern IntPtr StatusName(KrStatus status);
            static string S = "http://not/a/comment"; const int KR_OK = 0; static string T = "KR_PANIC";
            static string U = Environment.GetEnvironmentVariable("KR_LIB");
        }"#;
    let check = |src: &str| {
        let mut cs = CSharp::default();
        parse_csharp("T.cs", src, &mut cs);
        mismatches(&header, &cs)
    };
    assert_eq!(check(good), Vec::<String>::new());
    for (drift, expected) in [
        (good.replace("Panic = 98", "Panic = 97"), "KrStatus.Panic = 97, but the header has KR_PANIC = 98"),
        (good.replace(", Panic = 98", ""), "KR_PANIC = 98 is missing"),
        (good.replace("Panic = 98", "Panic = 98, Extra = 5"), "KrStatus.Extra = 5 has no counterpart"),
        (
            good.replace("{ Verbose, Debug }", "{ Debug, Verbose }"),
            "KrLogLevel.Debug = 0, but the header has KR_LOG_LEVEL_DEBUG = 1",
        ),
        (good.replace("kr_a(IntPtr s, ref byte x)", "kr_a(IntPtr s)"), "kr_a: T.cs declares 1 parameter(s)"),
        (good.replace("KrStatus kr_b()", "int kr_b()"), "kr_b: returns KrStatus in the header, int"),
        (good.replace("IntPtr StatusName", "string StatusName"), "kr_name: returns a pointer"),
        (good.replace("EntryPoint = \"kr_name\"", "EntryPoint = \"kr_nam\""), "kr_name: in the header but no C#"),
        (good.replace("kr_b()", "kr_c()"), "kr_c: declared in T.cs but not in the header"),
        (good.replace("KR_OK = 0", "KR_OK = 1"), "const KR_OK = 1, but the header has 0"),
        (good.replace("\"KR_PANIC\"", "\"KR_PANICKED\""), "string \"KR_PANICKED\" is not a header constant"),
        (good.replace("public int B; ", ""), "KrSessionOptionsNative has 1 field(s)"),
    ] {
        let problems = check(&drift);
        assert!(problems.iter().any(|p| p.contains(expected)), "expected {expected:?} in {problems:?}");
    }
}
