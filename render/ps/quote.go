// Package ps renders the PowerShell scripts octoha emits: node installs,
// tentacle registration and IIS ARR setup. Quote is the one way a value
// enters any of them.
package ps

import (
	"strconv"
	"strings"
)

// psSingleQuotes are the characters PowerShell's tokenizer treats as a
// single quote: the ASCII one and the four Unicode ones (U+2018..U+201B).
// Inside a single-quoted string each is escaped by doubling it.
const psSingleQuotes = "'\u2018\u2019\u201a\u201b"

// Quote returns s as a PowerShell single-quoted (verbatim) string
// literal. Nothing inside such a literal is expanded: `$`, backticks,
// double quotes, `;` and newlines are plain characters; only the single
// quotes, smart ones included, need doubling. This is the only way a value
// enters an emitted script. A NUL cannot be carried (the parser stops at
// it); the values block refuses it (values.refuseNUL).
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for _, r := range s {
		if strings.ContainsRune(psSingleQuotes, r) {
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}

// QuoteList returns values as a PowerShell array expression of quoted
// strings: @('a', 'b'), or @() when there are none.
func QuoteList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = Quote(v)
	}
	return "@(" + strings.Join(quoted, ", ") + ")"
}

// Bool returns $true or $false.
func Bool(v bool) string {
	if v {
		return "$true"
	}
	return "$false"
}

// Int returns n as a PowerShell integer literal. Only an int can reach it,
// so nothing but digits and a sign can.
func Int(n int) string { return strconv.Itoa(n) }

// CommentText makes s safe inside a comment, line or <# #> block: line
// breaks become spaces (a newline would end a line comment) and the block
// delimiters are split (a "#>" would end the help block). It is for help
// text that names a value; code always takes values through Quote.
func CommentText(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ", "\u0085", " ", "\u2028", " ", "\u2029", " ").Replace(s)
	for strings.Contains(s, "#>") || strings.Contains(s, "<#") {
		s = strings.NewReplacer("#>", "# >", "<#", "< #").Replace(s)
	}
	return s
}
