package ps

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/psparse"
	"github.com/octoha/octoha/steps"
)

// hostileValue is a value built to break out of any quoting: every quote
// PowerShell knows (smart ones included), backticks, $(...), ;, line
// breaks, comment and here-string delimiters. The marker makes each one
// findable.
func hostileValue(i int) string {
	return fmt.Sprintf("H%02dx'\u2018\u2019\u201a\u201b\"`$(Write-Output pwned);\n#> <# \r\n\u201c$env:x\u201d @' '@ \u2028end", i)
}

// setStrings calls set on every string field of the answers a script can
// print, numbering them; PublicURL stays a URL so the public host is
// still derived, and the mode fields keep their meaning. It returns how
// many values it set.
func setStrings(a *steps.Answers, value func(i int) string) int {
	n := 0
	next := func() string { n++; return value(n) }
	a.Octopus.Version = steps.VersionText(next())
	for _, p := range []*string{
		&a.Octopus.Instance, &a.Octopus.InstallDir, &a.Octopus.HomeDir, &a.Octopus.AdminUsername, &a.Octopus.AdminEmail,
		&a.Database.Server, &a.Database.Name, &a.Database.User,
		&a.Storage.Root, &a.Storage.Artifacts, &a.Storage.TaskLogs, &a.Storage.Packages, &a.Storage.Imports, &a.Storage.EventExports,
		&a.LoadBalancer.HealthCheck, &a.LoadBalancer.CertificateThumbprint, &a.LoadBalancer.Persistence,
		&a.Tentacles.PollingAddress, &a.Tentacles.Redis.Host, &a.Tentacles.Instance, &a.Tentacles.Space,
	} {
		*p = next()
	}
	if a.Octopus.ServiceAccount != "" {
		a.Octopus.ServiceAccount = next()
	}
	a.LoadBalancer.TrustedProxies = []string{next(), next()}
	a.Tentacles.Environments = []string{next(), next()}
	a.Tentacles.Roles = []string{next()}
	for i := range a.Nodes {
		a.Nodes[i].Name = next()
		a.Nodes[i].Host = next()
	}
	return n
}

// TestHostileAnswers renders every script of every example with a hostile
// value in every string field. Each value must appear only inside string
// literals that hold it whole (or in comments, made safe by CommentText),
// every script must still parse, and it must run exactly the commands the
// same script runs with tame values.
func TestHostileAnswers(t *testing.T) {
	names, examples := exampleAnswers(t)
	for _, name := range names {
		hostile, tame := examples[name], examples[name]
		hostile.Nodes = slices.Clone(hostile.Nodes)
		tame.Nodes = slices.Clone(tame.Nodes)
		count := setStrings(&hostile, hostileValue)
		setStrings(&tame, func(i int) string { return fmt.Sprintf("v%02d", i) })

		bad := renderAll(t, hostile)
		good := renderAll(t, tame)
		arrBad, err := ConfigureARR(hostile)
		if err != nil {
			t.Fatal(err)
		}
		arrGood, _ := ConfigureARR(tame)
		bad = append(bad, script{"configure-arr.ps1", arrBad})
		good = append(good, script{"configure-arr.ps1", arrGood})

		seen := map[int]bool{}
		for k, s := range bad {
			where := name + "/" + s.Name
			if errs := psparse.Errors(s.Content); len(errs) > 0 {
				t.Errorf("%s does not parse with hostile answers:\n%s", where, strings.Join(errs, "\n"))
				continue
			}
			if got, want := psparse.Commands(s.Content), psparse.Commands(good[k].Content); !slices.Equal(got, want) {
				t.Errorf("%s runs other commands with hostile answers:\n got %q\nwant %q", where, got, want)
			}
			lits := psparse.StringLiterals(s.Content)
			comments := psparse.Comments(s.Content)
			src := string(s.Content)
			for i := 1; i <= count; i++ {
				marker := fmt.Sprintf("H%02dx", i)
				for off := 0; ; {
					j := strings.Index(src[off:], marker)
					if j < 0 {
						break
					}
					at := off + j
					off = at + 1
					if inComment(comments, at) {
						continue
					}
					lit, ok := literalAt(lits, at)
					if !ok {
						t.Errorf("%s: value %d appears outside any string literal at byte %d: %q", where, i, at, around(src, at))
						continue
					}
					if lit.Kind != psparse.Verbatim || !strings.Contains(lit.Value, hostileValue(i)) {
						t.Errorf("%s: value %d sits in %s literal %q that does not hold it whole", where, i, lit.Kind, lit.Source)
						continue
					}
					seen[i] = true
				}
			}
		}
		for i := 1; i <= count; i++ {
			if !seen[i] {
				t.Logf("%s: value %d reaches no script literal", name, i)
			}
		}
		if len(seen) < count-4 { // at most 4 fields go unused in one mode (e.g. database.user with Windows auth)
			t.Errorf("%s: only %d of %d hostile values reached a literal; the test lost its grip", name, len(seen), count)
		}
	}
}

func inComment(comments []psparse.Comment, at int) bool {
	for _, c := range comments {
		if at >= c.Start && at < c.End {
			return true
		}
	}
	return false
}

func literalAt(lits []psparse.Literal, at int) (psparse.Literal, bool) {
	for _, l := range lits {
		if at >= l.Start && at < l.End {
			return l, true
		}
	}
	return psparse.Literal{}, false
}

func around(s string, at int) string {
	return s[max(0, at-40):min(len(s), at+60)]
}
