package steps

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// base is a small valid answers file the attacks are built on.
const base = "version: 1\noctopus:\n  adminUsername: admin\nnodes:\n  - {name: OCTO1, host: octo1.corp.local}\n"

// aliasBomb is the 462-byte kind of file that made every command grow
// without end: each level doubles the one before.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("version: 1\ntentacles:\n  environments: &a0 [x, x]\n")
	for i := 1; i < 30; i++ {
		fmt.Fprintf(&b, "  roles%d: &a%d [*a%d, *a%d]\n", i, i, i-1, i-1)
	}
	return b.String()
}

func utf16File(s string, bigEndian bool) []byte {
	units := utf16.Encode([]rune(s))
	out := []byte{0xFF, 0xFE}
	if bigEndian {
		out = []byte{0xFE, 0xFF}
	}
	for _, u := range units {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

// TestHostileFilesAreRefusedFast: every attack input is refused with a
// sentence naming its limit, within a second and a few MB.
func TestHostileFilesAreRefusedFast(t *testing.T) {
	var manyNodes strings.Builder
	manyNodes.WriteString("version: 1\nnodes:\n")
	for i := range MaxNodes + 1 {
		fmt.Fprintf(&manyNodes, "  - {name: N%d, host: n%d}\n", i, i)
	}
	cases := []struct {
		name string
		data string
		want []string
	}{
		{"alias bomb", aliasBomb(), []string{"a.yaml:3:", "anchors and aliases"}},
		{"deep flow nesting", "version: 1\ntentacles:\n  environments: " + strings.Repeat("[", 60000), []string{"a.yaml:3:", "deeper than 8 levels"}},
		{"deep block nesting", "version: 1\ntentacles:\n" + deepBlock(12), []string{"deeper than 8 levels"}},
		{"tag on an empty value", "version: 1\nnodes: !x\n", []string{"a.yaml:2:", `tags such as "!x"`}},
		{"tag on a value", "version: 1\noctopus:\n  webPort: !!int 80\n", []string{"a.yaml:3:", "tags"}},
		{"too large", strings.Repeat("#", MaxFileBytes+1), []string{"larger than 64 KiB"}},
		{"NUL bytes", string(make([]byte, 1000)), []string{"NUL byte", "save it as UTF-8"}},
		{"not UTF-8", "version: 1\noctopus:\n  adminUsername: \xff\xfe\xfd\n", []string{"not UTF-8", "save it as UTF-8"}},
		{"too many tokens", "version: 1\ntentacles:\n  environments: [" + strings.Repeat("x,", 30000) + "]\n", []string{"more than 20000 YAML tokens"}},
		{"too many nodes", manyNodes.String(), []string{"a.yaml:3:", "at most 100"}},
		{"long value", "version: 1\noctopus:\n  adminUsername: " + strings.Repeat("a", MaxValueLength+1) + "\n", []string{"a.yaml:3:", "longer than 1024 characters"}},
		{"two documents", base + "---\nversion: 1\n", []string{"a.yaml:7:", "second YAML document"}},
		{"newline in a value", "version: 1\noctopus:\n  adminUsername: \"ad\\nmin\"\n", []string{"a.yaml:3:", "octopus.adminUsername holds the control character U+000A"}},
		{"block scalar", "version: 1\noctopus:\n  adminUsername: |\n    ad\n    min\n", []string{"a.yaml:3:", "U+000A"}},
		{"escape in a value", "version: 1\nnodes:\n  - {name: \"\\e[31mred\", host: a}\n", []string{"a.yaml:3:", "nodes[0].name holds the control character U+001B"}},
		{"C1 in a value", "version: 1\ntentacles:\n  roles: [\"a\\u0085b\"]\n", []string{"a.yaml:3:", "U+0085"}},
		{"fraction", "version: 1\noctopus:\n  webPort: 80.9\n", []string{"a.yaml:3:", `webPort must be a whole number, not "80.9"`}},
		{"underscore", "version: 1\noctopus:\n  webPort: 80_0\n", []string{`not "80_0"`}},
		{"exponent", "version: 1\noctopus:\n  taskCap: 1e3\n", []string{`not "1e3"`}},
		{"hex", "version: 1\ndatabase:\n  port: 0x599\n", []string{`not "0x599"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := Parse("a.yaml", []byte(c.data))
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatal("loaded")
			}
			var le *LoadError
			if !errors.As(err, &le) {
				t.Errorf("%T is not a *LoadError: %v", err, err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if took > time.Second {
				t.Errorf("took %v", took)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
				t.Errorf("allocated %d MB", alloc>>20)
			}
		})
	}
}

func deepBlock(levels int) string {
	var b strings.Builder
	for i := range levels {
		fmt.Fprintf(&b, "%sk%d:\n", strings.Repeat("  ", i+1), i)
	}
	return b.String()
}

// TestLoadReadsAtMostTheLimit: /dev/zero is refused after MaxFileBytes.
func TestLoadReadsAtMostTheLimit(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero here")
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Load("/dev/zero")
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "larger than 64 KiB") {
		t.Fatalf("Load(/dev/zero) = %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("allocated %d MB reading /dev/zero", alloc>>20)
	}
}

// TestWindowsEncodingsLoad: Notepad's UTF-8 with a BOM, Out-File's UTF-16
// LE and UTF-16 BE, and CRLF all load as the same answers.
func TestWindowsEncodingsLoad(t *testing.T) {
	src, err := os.ReadFile("../examples/4-node-polling-unique-port-nginx.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Parse("a.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	crlf := bytes.ReplaceAll(src, []byte("\n"), []byte("\r\n"))
	for name, data := range map[string][]byte{
		"UTF-8 BOM":       append([]byte{0xEF, 0xBB, 0xBF}, src...),
		"UTF-16 LE":       utf16File(string(src), false),
		"UTF-16 BE":       utf16File(string(src), true),
		"UTF-16 LE, CRLF": utf16File(string(crlf), false),
		"UTF-8 BOM, CRLF": append([]byte{0xEF, 0xBB, 0xBF}, crlf...),
	} {
		got, err := Parse("a.yaml", data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(got.Answers, want.Answers) {
			t.Errorf("%s: other answers than the plain file:\n%+v\n%+v", name, got.Answers, want.Answers)
		}
	}
}

// TestUnknownFieldIsTheFirstInFileOrder: with several unknown fields, the
// one named is the first in the file, every time.
func TestUnknownFieldIsTheFirstInFileOrder(t *testing.T) {
	data := "version: 1\noctopus:\n  zeta: 1\n  alpha: 2\n  webPort: 80\n  mid: 3\nbogus: 4\n"
	for range 50 {
		_, err := Parse("a.yaml", []byte(data))
		if err == nil || !strings.Contains(err.Error(), `a.yaml:3:3: unknown field "zeta" under octopus`) {
			t.Fatalf("error %v, want the first unknown field, zeta", err)
		}
	}
}

// TestNoInputPanics feeds the YAML that has crashed go-yaml, and other
// oddities: each gives an error or answers, never a panic.
func TestNoInputPanics(t *testing.T) {
	for _, in := range []string{
		"nodes: !x", "version: 1\nnodes: !x\n", "!x", "? : ", "- !!map\n", "version: 1\n<<: {a: 1}\n",
		"[", "{", "}", "]", ":", "version: 1\noctopus: [1, 2]\n", "\t", "version: 1\nnodes:\n  - !\n", "&", "*", "|", ">\n -",
	} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("Parse(%q) panicked: %v", in, r)
				}
			}()
			Parse("a.yaml", []byte(in))
		}()
	}
}

// FuzzParse: no input panics or reaches the recover guard, and whatever
// loads saves and loads again as the same answers.
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob("../examples/*.yaml")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{base, aliasBomb(), "version: 1\nnodes: !x\n", "version: 1\noctopus:\n  webPort: 80.9\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Parse("a.yaml", data)
		if err != nil {
			if strings.Contains(err.Error(), "the YAML reader failed") {
				t.Fatalf("the YAML reader panicked: %v", err)
			}
			return
		}
		saved, err := Marshal(got.Answers)
		if err != nil {
			t.Fatalf("loaded answers do not save: %v", err)
		}
		again, err := Parse("b.yaml", saved)
		if err != nil {
			t.Fatalf("saved answers do not load: %v\n%s", err, saved)
		}
		// The same answers: an empty list may come back as none, so the
		// two are compared as the file each would save.
		resaved, err := Marshal(again.Answers)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(resaved, saved) {
			t.Fatalf("saved and loaded again, the answers differ:\n%s\n%s", saved, resaved)
		}
	})
}

// TextProblems names each answer by its whole path, at every depth, and
// a path built for one answer is not spoilt by the next one's.
func TestTextProblemsNameTheirPaths(t *testing.T) {
	a := Defaults()
	a.Nodes = []Node{{Name: "a", Host: "a"}, {Name: "b\n", Host: "b\x1b"}, {Name: "c", Host: "c"}}
	a.Tentacles.Roles = []string{"web", "db", "x\u2028y"}
	a.Tentacles.Redis.Host = "r\x7f"
	a.Octopus.AdminUsername = "ad\u0085min"
	var got []string
	for _, p := range TextProblems(a) {
		got = append(got, p.Field)
		if !strings.HasPrefix(p.Msg, p.Field+" holds the control character U+") {
			t.Errorf("%s: message %q", p.Field, p.Msg)
		}
	}
	want := []string{"octopus.adminUsername", "nodes[1].name", "nodes[1].host", "tentacles.redis.host", "tentacles.roles[2]"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("fields %q, want %q", got, want)
	}
}
