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

// literal sets value name to s as it is: only for what octoha itself
// spells (constants, and values built from parts already checked, such as
// PublicBase from the checked public host).
func (f *filling) literal(name, s string) { f.values[name] = s }

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
	var open regionStack
	for i, l := range strings.Split(strings.TrimSuffix(file, "\n"), "\n") {
		marker, err := open.marker(strings.TrimLeft(l, " \t"), f.regions)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		if marker || !open.keeping() {
			continue
		}
		if err := f.fillLine(&out, l); err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
	}
	if len(open) > 0 {
		return nil, fmt.Errorf("region %s is not closed", open[len(open)-1].name)
	}
	return []byte(out.String()), nil
}

// regionStack holds the regions open at a line, innermost last.
type regionStack []openRegion

type openRegion struct {
	name string
	// keep says the region's lines are written: it is on, and so is
	// every region around it.
	keep bool
}

func (s regionStack) keeping() bool { return len(s) == 0 || s[len(s)-1].keep }

// marker opens or closes a region when line (without its indentation) is
// a #region or #endregion marker, and says whether it was one.
func (s *regionStack) marker(line string, regions map[string]bool) (bool, error) {
	if name, ok := strings.CutPrefix(line, "#region "); ok {
		on, set := regions[strings.TrimPrefix(name, "!")]
		if !set {
			return true, fmt.Errorf("region %q is not set", name)
		}
		if strings.HasPrefix(name, "!") {
			on = !on
		}
		*s = append(*s, openRegion{name, s.keeping() && on})
		return true, nil
	}
	if name, ok := strings.CutPrefix(line, "#endregion "); ok {
		if len(*s) == 0 || (*s)[len(*s)-1].name != name {
			return true, fmt.Errorf("#endregion %s closes no open region", name)
		}
		*s = (*s)[:len(*s)-1]
		return true, nil
	}
	return false, nil
}

// fillLine writes line l with its placeholders filled in, or the lines of
// a placeholder that stands alone on it.
func (f *filling) fillLine(out *strings.Builder, l string) error {
	if !strings.Contains(l, "@") {
		out.WriteString(l)
		out.WriteByte('\n')
		return nil
	}
	trimmed := strings.TrimLeft(l, " \t")
	if m := placeholder.FindStringSubmatch(trimmed); m != nil && m[0] == trimmed {
		if lines, ok := f.lines[m[1]]; ok {
			for _, x := range lines {
				out.WriteString(l[:len(l)-len(trimmed)])
				out.WriteString(x)
				out.WriteByte('\n')
			}
			return nil
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
		return fmt.Errorf("%s is not set", missing)
	}
	out.WriteString(filled)
	out.WriteByte('\n')
	return nil
}
