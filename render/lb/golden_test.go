package lb

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/steps"
)

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
	files := testkit.ExamplePaths(t)
	more, err := filepath.Glob("testdata/answers/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, more...)
	if len(files) < 7 {
		t.Fatalf("found only %d answers files; the examples have moved?", len(files))
	}
	return files
}

func TestGolden(t *testing.T) {
	rendered := 0
	for _, path := range answerFiles(t) {
		a := testkit.Load(t, path)
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
			testkit.Golden(t, filepath.Join("testdata", "golden", name+r.ext), got)
		})
		rendered++
	}
	if rendered < 6 {
		t.Fatalf("rendered only %d golden files", rendered)
	}
}
