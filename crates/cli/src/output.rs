//! Printing lists the way `docker` does: aligned tables (more columns with `-o wide`), JSON
//! and YAML of the core's own types, or a row template (`--format '{{.Name}} {{.Status}}'`).
//! Colour goes through anstream, which drops it when stdout is no terminal or NO_COLOR is set.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use berth_core::{Error, HostId, Result};
use serde::Serialize;

use crate::args::Output;

/// One column of a table: its header, whether only `-o wide` shows it, and its cell.
pub struct Column<T> {
    pub header: &'static str,
    pub wide_only: bool,
    pub cell: fn(&T) -> Cell,
}

impl<T> Column<T> {
    pub const fn new(header: &'static str, cell: fn(&T) -> Cell) -> Self {
        Self {
            header,
            wide_only: false,
            cell,
        }
    }

    pub const fn wide(header: &'static str, cell: fn(&T) -> Cell) -> Self {
        Self {
            header,
            wide_only: true,
            cell,
        }
    }
}

/// A table cell, with the colour it has on a terminal.
pub struct Cell {
    pub text: String,
    pub style: Style,
}

impl Cell {
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            style: Style::new(),
        }
    }

    pub fn coloured(text: impl Into<String>, colour: AnsiColor) -> Self {
        Self {
            text: text.into(),
            style: Style::new().fg_color(Some(colour.into())),
        }
    }
}

/// An item listed from one host, as JSON and YAML show it: the item's fields and its host's.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OnHost<'a, T> {
    pub host: &'a HostId,
    pub host_name: &'a str,
    #[serde(flatten)]
    pub item: &'a T,
}

/// How rows are printed, chosen once from `-o` and `--format` (checked before anything runs).
pub enum Printer {
    Table { wide: bool },
    Json,
    Yaml,
    Template(Template),
}

impl Printer {
    pub fn new(output: Output, format: Option<&str>) -> Result<Self> {
        if let Some(format) = format {
            return Ok(Printer::Template(Template::parse(format)?));
        }
        Ok(match output {
            Output::Table => Printer::Table { wide: false },
            Output::Wide => Printer::Table { wide: true },
            Output::Json => Printer::Json,
            Output::Yaml => Printer::Yaml,
        })
    }

    /// Whether the user asked for data rather than a table (a live table is not redrawn).
    pub fn is_data(&self) -> bool {
        !matches!(self, Printer::Table { .. })
    }

    /// Prints `items` with `columns`; a HOST column leads when `with_host` (several hosts).
    pub fn print<T: Serialize>(
        &self,
        items: &[(HostId, String, T)],
        columns: &[Column<T>],
        with_host: bool,
    ) -> Result<()> {
        let on_host: Vec<OnHost<'_, T>> = items
            .iter()
            .map(|(host, host_name, item)| OnHost {
                host,
                host_name,
                item,
            })
            .collect();
        match self {
            Printer::Json => {
                let json = serde_json::to_string_pretty(&on_host).map_err(internal)?;
                write_stdout(format!("{json}\n").as_bytes())
            }
            Printer::Yaml => {
                let yaml = serde_norway::to_string(&on_host).map_err(internal)?;
                write_stdout(yaml.as_bytes())
            }
            Printer::Table { wide } => {
                let shown: Vec<&Column<T>> =
                    columns.iter().filter(|c| *wide || !c.wide_only).collect();
                let mut header: Vec<String> = shown.iter().map(|c| c.header.to_owned()).collect();
                if with_host {
                    header.insert(0, "HOST".to_owned());
                }
                let rows = items.iter().map(|(_, host_name, item)| {
                    let mut row: Vec<Cell> = shown.iter().map(|c| (c.cell)(item)).collect();
                    if with_host {
                        row.insert(0, Cell::plain(host_name.clone()));
                    }
                    row
                });
                print_table(&header, rows)
            }
            Printer::Template(template) => template.print(&on_host, columns),
        }
    }
}

/// Prints a header and rows as columns three spaces apart (as docker's tables are), colour
/// kept out of the alignment.
pub fn print_table(header: &[String], rows: impl Iterator<Item = Vec<Cell>>) -> Result<()> {
    let mut table = tabwriter::TabWriter::new(Vec::new()).padding(3).ansi(true);
    let bold = Style::new().bold();
    let line = header
        .iter()
        .map(|h| format!("{bold}{h}{bold:#}"))
        .collect::<Vec<_>>()
        .join("\t");
    writeln!(table, "{line}").map_err(internal)?;
    for row in rows {
        let line = row
            .iter()
            .map(|cell| {
                let text = printable(&cell.text);
                format!("{}{text}{:#}", cell.style, cell.style)
            })
            .collect::<Vec<_>>()
            .join("\t");
        writeln!(table, "{line}").map_err(internal)?;
    }
    let bytes = table.into_inner().map_err(internal)?;
    write_stdout(&bytes)
}

/// Writes to stdout through anstream (colour dropped where it does not belong). A closed pipe
/// (`berthctl ps | head`) is no error: what is left is not written, and the command still ends
/// with its own exit code.
pub fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = anstream::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(err) => Err(Error::Internal(format!(
            "could not write the output: {err}"
        ))),
    }
}

/// `text` from an engine or a host, safe to print on a terminal: control characters (an
/// escape sequence a container's name or an engine's message could carry) become `?`, tabs
/// and line ends a space.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => ' ',
            c if c.is_control() => '?',
            c => c,
        })
        .collect()
}

fn internal(err: impl std::fmt::Display) -> Error {
    Error::Internal(format!("could not print the output: {err}"))
}

/// A row template, Go-template style as `docker --format` takes them: `{{.Field}}` is a column
/// by its header (any case; `Names` is `NAME`'s), `{{json .}}` the whole item, and a leading
/// `table ` prints a header and aligns the columns.
pub struct Template {
    table: bool,
    parts: Vec<Part>,
}

enum Part {
    Text(String),
    Field(String),
    Json,
}

impl Template {
    pub fn parse(text: &str) -> Result<Self> {
        // `--format json`, as docker takes it: each item as a JSON object on a line.
        if text.trim() == "json" {
            return Self::parse("{{json .}}");
        }
        let (table, text) = match text.strip_prefix("table") {
            Some(rest) if rest.is_empty() || rest.starts_with([' ', '\t']) => {
                (true, rest.trim_start())
            }
            _ => (false, text),
        };
        let text = text.replace("\\t", "\t").replace("\\n", "\n");
        let mut parts = Vec::new();
        let mut rest = text.as_str();
        while let Some(open) = rest.find("{{") {
            parts.push(Part::Text(rest[..open].to_owned()));
            let close = rest[open..]
                .find("}}")
                .ok_or_else(|| invalid_format(format!("{{{{ at {open} is not closed with }}}}")))?;
            let action = rest[open + 2..open + close].trim();
            parts.push(if action == "json ." || action == "." {
                Part::Json
            } else if let Some(field) = action.strip_prefix('.').filter(|f| {
                !f.is_empty() && f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            }) {
                Part::Field(field.to_owned())
            } else {
                return Err(invalid_format(format!(
                    "{{{{{action}}}}} is not a field: write {{{{.Name}}}}, or {{{{json .}}}} for everything"
                )));
            });
            rest = &rest[open + close + 2..];
        }
        parts.push(Part::Text(rest.to_owned()));
        Ok(Self { table, parts })
    }

    fn print<T: Serialize>(&self, items: &[OnHost<'_, T>], columns: &[Column<T>]) -> Result<()> {
        let header_of = |field: &str| -> Result<String> {
            if field.eq_ignore_ascii_case("host") {
                return Ok("HOST".to_owned());
            }
            column_named(columns, field)
                .map(|c| c.header.to_owned())
                .ok_or_else(|| unknown_field(field, columns))
        };
        // Every field is checked before a row is printed.
        let mut header = Vec::new();
        for part in &self.parts {
            match part {
                Part::Field(field) => header.push(header_of(field)?),
                Part::Json => header.push(String::new()),
                Part::Text(_) => {}
            }
        }
        let render = |item: &OnHost<'_, T>| -> Result<Vec<String>> {
            let mut cells = vec![String::new()];
            for part in &self.parts {
                let last = cells.last_mut().expect("one cell at least");
                match part {
                    Part::Text(text) if self.table => {
                        // In a table, a tab starts the next column.
                        let mut pieces = text.split('\t');
                        last.push_str(pieces.next().unwrap_or_default());
                        cells.extend(pieces.map(str::to_owned));
                    }
                    Part::Text(text) => last.push_str(text),
                    Part::Json => last.push_str(&serde_json::to_string(item).map_err(internal)?),
                    Part::Field(field) if field.eq_ignore_ascii_case("host") => {
                        last.push_str(&printable(item.host_name))
                    }
                    Part::Field(field) => {
                        let column = column_named(columns, field)
                            .ok_or_else(|| unknown_field(field, columns))?;
                        last.push_str(&printable(&(column.cell)(item.item).text));
                    }
                }
            }
            Ok(cells)
        };
        if self.table {
            let rows = items
                .iter()
                .map(|item| render(item).map(|cells| cells.into_iter().map(Cell::plain).collect()))
                .collect::<Result<Vec<Vec<Cell>>>>()?;
            return print_table(&header, rows.into_iter());
        }
        let mut out = String::new();
        for item in items {
            out.push_str(&render(item)?.concat());
            out.push('\n');
        }
        write_stdout(out.as_bytes())
    }
}

/// The column a template field names: by header in any case, `Names` for `NAME`, `ID` for
/// `CONTAINER ID`, and headers of several words without their spaces (`{{.CreatedAt}}`).
fn column_named<'c, T>(columns: &'c [Column<T>], field: &str) -> Option<&'c Column<T>> {
    let wanted = field.to_ascii_lowercase();
    columns.iter().find(|c| {
        let header = c.header.to_ascii_lowercase().replace(' ', "");
        header == wanted
            || format!("{header}s") == wanted
            || header.ends_with(&wanted) && wanted == "id"
    })
}

fn unknown_field<T>(field: &str, columns: &[Column<T>]) -> Error {
    let known: Vec<String> = std::iter::once("Host".to_owned())
        .chain(columns.iter().map(|c| field_name(c.header)))
        .collect();
    invalid_format(format!(
        "there is no field .{field}; these are: {}",
        known.join(", ")
    ))
}

/// A header as a template field: `CONTAINER ID` is `.ID`, `MEM LIMIT` `.MemLimit`.
fn field_name(header: &str) -> String {
    if header.ends_with(" ID") || header == "ID" {
        return "ID".to_owned();
    }
    header
        .split(' ')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_string() + &chars.as_str().to_ascii_lowercase())
                .unwrap_or_default()
        })
        .collect()
}

fn invalid_format(message: String) -> Error {
    Error::InvalidInput(message).in_field("format")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<Column<(String, String)>> {
        vec![
            Column::new("CONTAINER ID", |c: &(String, String)| {
                Cell::plain(c.0.clone())
            }),
            Column::new("NAME", |c: &(String, String)| Cell::plain(c.1.clone())),
        ]
    }

    #[test]
    fn template_fields_are_columns_by_any_of_their_names() {
        let columns = columns();
        for field in ["ID", "id", "Name", "Names", "NAME"] {
            assert!(column_named(&columns, field).is_some(), "{field}");
        }
        assert!(column_named(&columns, "Image").is_none());
        assert_eq!(field_name("CONTAINER ID"), "ID");
        assert_eq!(field_name("MEM LIMIT"), "MemLimit");
    }

    #[test]
    fn a_malformed_template_is_refused_before_anything_runs() {
        for bad in ["{{.Name", "{{Name}}", "{{.}x}}", "{{len .Names}}"] {
            let err = Template::parse(bad).err().expect(bad);
            assert_eq!(err.field(), Some("format"), "{bad}");
        }
        let template = Template::parse("table {{.ID}}\\t{{.Name}}").unwrap();
        assert!(template.table);
        assert_eq!(template.parts.len(), 5);
        let json = Template::parse("json").unwrap();
        assert!(!json.table && matches!(json.parts[1], Part::Json));
    }

    #[test]
    fn what_an_engine_sends_cannot_drive_the_terminal() {
        assert_eq!(printable("web\x1b]0;pwned\x07\tok\n"), "web?]0;pwned? ok ");
    }
}
