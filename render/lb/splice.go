package lb

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The balancer configurations are real files (templates/nginx.conf,
// templates/haproxy.cfg) that an editor, `nginx -t` and `haproxy -c` can
// read; the renderer fills them in:
//
//   - @Name@ in a line is replaced by the value named Name, which Go
//     quoted for the file's format (quote.go);
//   - a line holding only @Name@ (after its indentation) becomes the lines
//     named Name, each with that indentation, and disappears when there
//     are none: the per-node lines come from Go;
//   - the lines between "#region name" and "#endregion name" are kept when
//     region name is on and dropped, with the markers, when it is off;
//     "#region !name" keeps them when it is off.
//
// Both formats read a '#' line as a comment, so the markers mean nothing
// to either program.

// filling is what a configuration file is filled in with. Values are
// added only through its methods, each of which quotes for the format
// (or is a number, or a region switch); the first quoting error is kept.
type filling struct {
	values  map[string]string
	lines   map[string][]string
	regions map[string]bool
	err     error
}

func newFilling() *filling {
	return &filling{values: map[string]string{}, lines: map[string][]string{}, regions: map[string]bool{}}
}

// quote sets value name to s quoted by q, one of quote.go's functions.
func (f *filling) quote(name string, q func(string) (string, error), s string) {
	v, err := q(s)
	if err != nil && f.err == nil {
		f.err = err
	}
	f.values[name] = v
}

// comment sets value name to s made safe for a '#' comment.
func (f *filling) comment(name, s string) { f.values[name] = comment(s) }

// num sets value name to n in decimal.
func (f *filling) num(name string, n int) { f.values[name] = strconv.Itoa(n) }

// region switches region name on or off.
func (f *filling) region(name string, on bool) { f.regions[name] = on }

// setLines sets the lines named name, each built from parts already
// quoted (must) or literal; none makes the placeholder's line disappear.
func (f *filling) setLines(name string, lines []string) { f.lines[name] = lines }

// must returns s quoted by q, keeping the first error, for parts of a line.
func (f *filling) must(q func(string) (string, error), s string) string {
	v, err := q(s)
	if err != nil && f.err == nil {
		f.err = err
	}
	return v
}

var placeholder = regexp.MustCompile(`@([A-Za-z][A-Za-z0-9]*)@`)

// splice fills in file. An error here is a fault of the file or of its
// renderer (an unknown name, an unclosed region), never of the answers.
func splice(file string, f *filling) ([]byte, error) {
	var out strings.Builder
	out.Grow(len(file))
	type open struct {
		name string
		keep bool
	}
	var stack []open
	keeping := func() bool { return len(stack) == 0 || stack[len(stack)-1].keep }
	lines := strings.Split(file, "\n")
	for i, l := range lines {
		if i == len(lines)-1 && l == "" {
			break
		}
		trimmed := strings.TrimLeft(l, " \t")
		indent := l[:len(l)-len(trimmed)]
		switch {
		case strings.HasPrefix(trimmed, "#region "):
			name := strings.TrimPrefix(trimmed, "#region ")
			on, ok := f.regions[strings.TrimPrefix(name, "!")]
			if !ok {
				return nil, fmt.Errorf("line %d: region %q is not set", i+1, name)
			}
			if strings.HasPrefix(name, "!") {
				on = !on
			}
			stack = append(stack, open{name, keeping() && on})
			continue
		case strings.HasPrefix(trimmed, "#endregion "):
			name := strings.TrimPrefix(trimmed, "#endregion ")
			if len(stack) == 0 || stack[len(stack)-1].name != name {
				return nil, fmt.Errorf("line %d: #endregion %s closes no open region", i+1, name)
			}
			stack = stack[:len(stack)-1]
			continue
		}
		if !keeping() {
			continue
		}
		if !strings.Contains(l, "@") {
			out.WriteString(l)
			out.WriteByte('\n')
			continue
		}
		if m := placeholder.FindStringSubmatch(trimmed); m != nil && m[0] == trimmed {
			if ls, ok := f.lines[m[1]]; ok {
				for _, x := range ls {
					out.WriteString(indent)
					out.WriteString(x)
					out.WriteByte('\n')
				}
				continue
			}
		}
		var missing string
		filled := placeholder.ReplaceAllStringFunc(l, func(p string) string {
			v, ok := f.values[p[1:len(p)-1]]
			if !ok && missing == "" {
				missing = p
			}
			return v
		})
		if missing != "" {
			return nil, fmt.Errorf("line %d: %s is not set", i+1, missing)
		}
		out.WriteString(filled)
		out.WriteByte('\n')
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("region %s is not closed", stack[len(stack)-1].name)
	}
	return []byte(out.String()), nil
}
