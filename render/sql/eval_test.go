package sql

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
)

// evalExpr evaluates a T-SQL string expression of the forms this package
// writes: N'...' literals, NCHAR(n), @variables, QUOTENAME(@v) and
// QUOTENAME(@v, N””), joined by +, up to a ; or the end. vars holds the
// variables' values. It returns the value and the rest of the text.
func evalExpr(text string, vars map[string]string) (string, string, error) {
	var units []uint16
	add := func(s string) { units = append(units, utf16.Encode([]rune(s))...) }
	rest := text
	for {
		rest = strings.TrimLeft(rest, " ")
		switch {
		case strings.HasPrefix(rest, "N'"):
			i := 2
			var b strings.Builder
			for {
				if i >= len(rest) {
					return "", "", fmt.Errorf("unterminated literal in %q", text)
				}
				if rest[i] == '\'' {
					if i+1 < len(rest) && rest[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						continue
					}
					break
				}
				b.WriteByte(rest[i])
				i++
			}
			add(b.String())
			rest = rest[i+1:]
		case strings.HasPrefix(rest, "NCHAR("):
			end := strings.IndexByte(rest, ')')
			n, err := strconv.Atoi(rest[len("NCHAR("):end])
			if err != nil || n < 0 || n > 0xffff {
				return "", "", fmt.Errorf("bad NCHAR in %q", text)
			}
			units = append(units, uint16(n))
			rest = rest[end+1:]
		case strings.HasPrefix(rest, "QUOTENAME("):
			end := strings.IndexByte(rest, ')')
			arg := rest[len("QUOTENAME("):end]
			name, quote, _ := strings.Cut(arg, ", ")
			v, ok := vars[name]
			if !ok {
				return "", "", fmt.Errorf("unknown variable %s in %q", name, text)
			}
			if quote == "N''''" {
				add("'" + strings.ReplaceAll(v, "'", "''") + "'")
			} else {
				add(Ident(v))
			}
			rest = rest[end+1:]
		case strings.HasPrefix(rest, "@"):
			end := strings.IndexAny(rest, " ;+")
			if end < 0 {
				end = len(rest)
			}
			v, ok := vars[rest[:end]]
			if !ok {
				return "", "", fmt.Errorf("unknown variable %s in %q", rest[:end], text)
			}
			add(v)
			rest = rest[end:]
		default:
			return "", "", fmt.Errorf("unexpected %.20q in %q", rest, text)
		}
		rest = strings.TrimLeft(rest, " ")
		if !strings.HasPrefix(rest, "+") {
			return string(utf16.Decode(units)), rest, nil
		}
		rest = rest[1:]
	}
}

// unident reads a bracketed identifier back: [a]]b] is a]b. It fails
// unless the whole of s is one identifier.
func unident(s string) (string, error) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return "", fmt.Errorf("%q is not bracketed", s)
	}
	inner := s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(inner); i++ {
		if inner[i] == ']' {
			if i+1 >= len(inner) || inner[i+1] != ']' {
				return "", fmt.Errorf("%q ends its identifier early", s)
			}
			i++
		}
		b.WriteByte(inner[i])
	}
	return b.String(), nil
}
