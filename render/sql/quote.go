// Package sql writes sql/prepare-database.sql, the T-SQL script a DBA runs
// with sqlcmd to make the logins, the database and the rights an Octopus
// HA cluster needs. Every value from the answers enters the script through
// Str, and every identifier through Ident inside a Str, so that neither
// T-SQL nor sqlcmd (which reads the file before SQL Server does) can take
// part of a value for code.
package sql

import (
	"strconv"
	"strings"
	"unicode/utf16"
)

// Ident returns name as a bracketed T-SQL identifier, each ] doubled:
// [a]]b] is the identifier a]b (Transact-SQL "Database identifiers",
// https://learn.microsoft.com/sql/relational-databases/databases/database-identifiers).
// Its result is T-SQL text, not yet safe in a sqlcmd file: it goes into a
// statement that Str then quotes (dynamic SQL), which keeps a $( or a line
// break in the name away from sqlcmd.
func Ident(name string) string {
	return "[" + strings.ReplaceAll(name, "]", "]]") + "]"
}

// Str returns s as a T-SQL nvarchar expression whose value is exactly s,
// and whose text is safe in a file sqlcmd reads:
//   - printable ASCII goes into N'...' literals with each ' doubled;
//   - a $ followed by ( ends its literal (N'a$' + N'(b)'), because sqlcmd
//     replaces $(NAME) anywhere in the file, inside literals too, by a
//     variable of that name, environment variables included
//     (https://learn.microsoft.com/sql/tools/sqlcmd/sqlcmd-use-scripting-variables);
//   - every other character (line breaks, which could start a sqlcmd
//     command such as :!! or a GO line; non-ASCII, Unicode quotes among
//     them, which a file read in a legacy code page could turn into ')
//     is written as NCHAR(n) of its UTF-16 code units, so the file is
//     plain ASCII.
//
// The result is an expression, for places that take one (SET, DECLARE,
// function arguments, comparisons), never a place that needs a literal.
func Str(s string) string {
	if s == "" {
		return "N''"
	}
	var parts []string
	var lit strings.Builder
	open := false
	flush := func() {
		if open {
			parts = append(parts, "N'"+lit.String()+"'")
			lit.Reset()
			open = false
		}
	}
	runes := []rune(s)
	for i, r := range runes {
		switch {
		case r >= 0x20 && r < 0x7f:
			open = true
			lit.WriteRune(r)
			if r == '\'' {
				lit.WriteRune(r)
			}
			if r == '$' && i+1 < len(runes) && runes[i+1] == '(' {
				flush()
			}
		default:
			flush()
			for _, unit := range utf16.Encode([]rune{r}) {
				parts = append(parts, "NCHAR("+strconv.Itoa(int(unit))+")")
			}
		}
	}
	flush()
	return strings.Join(parts, " + ")
}
