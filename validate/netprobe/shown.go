package netprobe

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxShown is how much of what a server said a finding repeats.
const maxShown = 200

// Shown is text a server sent (a version, an error reply, a redirect's
// target) as a finding may repeat it: control characters, which could move
// the cursor or recolour the wizard's screen, and invalid UTF-8 become
// U+FFFD, and it is cut to maxShown characters.
func Shown(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == maxShown {
			b.WriteString("…")
			break
		}
		if !unicode.IsPrint(r) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
