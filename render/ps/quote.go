// Package ps renders the PowerShell scripts octoha emits: node installs,
// tentacle registration and IIS ARR setup. Quote is the one way a value
// enters any of them.
package ps

import "strings"

// psSingleQuotes are the characters PowerShell's tokenizer treats as a
// single quote: the ASCII one and the four Unicode ones (U+2018..U+201B).
// Inside a single-quoted string each is escaped by doubling it.
const psSingleQuotes = "'\u2018\u2019\u201a\u201b"

// Quote returns s as a PowerShell single-quoted (verbatim) string
// literal. Nothing inside such a literal is expanded: `$`, backticks,
// double quotes, `;` and newlines are plain characters; only the single
// quotes, smart ones included, need doubling. This is the only way a value
// enters an emitted script.
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
