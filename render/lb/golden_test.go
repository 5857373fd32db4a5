package lb

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/octoha/octoha/steps"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// renderers maps a balancer kind to its renderer and the golden file suffix.
var renderers = map[string]struct {
	render func(steps.Answers) ([]byte, error)
	ext    string
}{
	steps.LBNginx:    {Nginx, ".conf"},
	steps.LBHAProxy:  {HAProxy, ".cfg"},
	steps.LBApache:   {Apache, ".conf"},
	steps.LBExternal: {External, ".md"},
}

// answerFiles are the example clusters plus the combinations they do not
// cover (testdata/answers), each rendered by its own balancer kind.
func answerFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, glob := range []string{"../../examples/*.yaml", "testdata/answers/*.yaml"} {
		m, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 7 {
		t.Fatalf("found only %d answers files; the examples have moved?", len(files))
	}
	return files
}

func load(t testing.TB, path string) steps.Answers {
	t.Helper()
	f, err := steps.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return f.Answers
}

func TestGolden(t *testing.T) {
	rendered := 0
	for _, path := range answerFiles(t) {
		a := load(t, path)
		r, ok := renderers[a.LoadBalancer.Kind]
		if !ok {
			continue // iis-arr is rendered by package ps
		}
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			got, err := r.render(a)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", name+r.ext)
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./render/lb -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the rendered config; review the diff and run go test ./render/lb -update\n%s", golden, lineDiff(want, got))
			}
		})
		rendered++
	}
	if rendered < 6 {
		t.Fatalf("rendered only %d golden files", rendered)
	}
}

// lineDiff shows the first lines that differ, enough to see what changed.
func lineDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl + "\n")
			shown++
		}
	}
	return b.String()
}
