package ps

import (
	"fmt"
	"strings"
)

// values are what one script takes from the answers: the values block at
// its top (the assignments its body reads, in order, with comments for the
// admin) and the values its help and a few lines name as ${octoha:NAME}.
// Every value is printed only through the quoting functions; the first
// error (a NUL, which no PowerShell literal carries) is kept and ends the
// rendering.
type values struct {
	blockLines []string
	byName     map[string]value
	err        error
}

// value is one value in its two printed forms.
type value struct {
	code    string // a PowerShell literal: Quote, QuoteList, Bool or Int
	comment string // CommentText, for help and comments
}

func newValues() *values { return &values{byName: map[string]value{}} }

// block is the values block's lines.
func (v *values) block() []string { return v.blockLines }

// note adds a comment line to the values block.
func (v *values) note(text string) *values {
	v.blockLines = append(v.blockLines, "# "+text)
	return v
}

// line adds a line of PowerShell to the block, which the caller builds
// only from literal text and the quoting functions (an array of
// hashtables, one per node).
func (v *values) line(text string) *values {
	v.blockLines = append(v.blockLines, text)
	return v
}

// str assigns $name = 'value' in the block, and names the value.
func (v *values) str(name, s string) *values { return v.assign(name, v.quoted(s)) }

// list assigns $name = @('a', 'b') in the block, and names the value.
func (v *values) list(name string, items []string) *values {
	return v.assign(name, v.listValue(items))
}

// textList names a list for ${octoha:NAME} without assigning it.
func (v *values) textList(name string, items []string) *values {
	v.byName[name] = v.listValue(items)
	return v
}

func (v *values) listValue(items []string) value {
	for _, item := range items {
		v.refuseNUL(item)
	}
	return value{code: QuoteList(items), comment: CommentText(strings.Join(items, ", "))}
}

// boolean assigns $name = $true or $false in the block.
func (v *values) boolean(name string, b bool) *values {
	return v.assign(name, value{code: Bool(b), comment: Bool(b)})
}

// integer assigns $name = n in the block.
func (v *values) integer(name string, n int) *values {
	return v.assign(name, value{code: Int(n), comment: Int(n)})
}

// typed assigns $name = [type] 'value' in the block: a string PowerShell
// converts, such as a [version].
func (v *values) typed(name, typ, s string) *values {
	val := v.quoted(s)
	v.blockLines = append(v.blockLines, "$"+name+" = "+typ+" "+val.code)
	v.byName[name] = val
	return v
}

// text names a value for ${octoha:NAME} without assigning it.
func (v *values) text(name, s string) *values {
	v.byName[name] = v.quoted(s)
	return v
}

// number names an integer for ${octoha:NAME} without assigning it.
func (v *values) number(name string, n int) *values {
	v.byName[name] = value{code: Int(n), comment: Int(n)}
	return v
}

func (v *values) assign(name string, val value) *values {
	v.blockLines = append(v.blockLines, "$"+name+" = "+val.code)
	v.byName[name] = val
	return v
}

func (v *values) quoted(s string) value {
	v.refuseNUL(s)
	return value{code: Quote(s), comment: CommentText(s)}
}

// refuseNUL keeps the first value that holds a NUL as the error: no
// PowerShell literal can carry one (the parser stops at it).
func (v *values) refuseNUL(s string) {
	if v.err == nil && strings.ContainsRune(s, 0) {
		v.err = fmt.Errorf("the value %q holds a NUL character, which cannot go into a PowerShell script; remove it from the answers", strings.ReplaceAll(s, "\x00", ""))
	}
}

// fill replaces every ${octoha:NAME} in line with the value, as a comment
// when inComment.
func (v *values) fill(line string, inComment bool) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(line, placeholder)
		if i < 0 {
			b.WriteString(line)
			return b.String(), nil
		}
		end := strings.IndexByte(line[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("%q: %s is not closed", line, placeholder)
		}
		name := line[i+len(placeholder) : i+end]
		val, ok := v.byName[name]
		if !ok {
			return "", fmt.Errorf("%q names the value %s, which this script does not have", line, name)
		}
		b.WriteString(line[:i])
		if inComment {
			b.WriteString(val.comment)
		} else {
			b.WriteString(val.code)
		}
		line = line[i+end+1:]
	}
}
