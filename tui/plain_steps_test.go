package tui

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// stepLines are how many of plainAnswers each step takes, in order.
var stepLines = []int{11, 8, 6, 13, 7, 8}

// syncBuffer is an output the test reads while --plain still writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestPlainSavesAfterEachStep: with the input cut after any step (a
// dropped SSH session sends no end of input: the read just never
// returns), the answers of every step finished are on disk already.
func TestPlainSavesAfterEachStep(t *testing.T) {
	checks := []func(a steps.Answers) bool{
		func(a steps.Answers) bool { return a.Octopus.ServiceAccount == `CORP\svc-octopus` },
		func(a steps.Answers) bool { return a.Database.Server == "sql01.corp.local" },
		func(a steps.Answers) bool { return a.Storage.Root == `\\fs01.corp.local\Octopus` },
		func(a steps.Answers) bool { return len(a.Nodes) == 3 && a.Nodes[2].Host == "octo3.corp.local" },
		func(a steps.Answers) bool { return a.LoadBalancer.PublicURL == "https://octopus.corp.local" },
		func(a steps.Answers) bool { return a.Tentacles.PollingAddress == "octopus-poll.corp.local" },
	}
	used := 0
	for step, n := range stepLines {
		used += n
		t.Run(formSteps[step].name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			in, feed := io.Pipe()
			var out syncBuffer
			done := make(chan int, 1)
			go func() { done <- Run(Options{Plain: true, In: in, Out: &out, Err: &out}) }()
			go feed.Write([]byte(strings.Join(plainAnswers[:used], "\n") + "\n"))
			deadline := time.Now().Add(5 * time.Second)
			for {
				f, err := steps.Load(DefaultAnswersPath)
				if err == nil && checks[step](f.Answers) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("after step %d the answers are not on disk (%v):\n%s", step+1, err, out.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			feed.Close()
			<-done
		})
	}
}

// TestPlainPipedInput: with input that is not a terminal, every prompt
// ends its line, hints wrap at word boundaries with indented continuation
// lines, and nothing speaks of the wizard's keys.
func TestPlainPipedInput(t *testing.T) {
	t.Chdir(t.TempDir())
	var out, errOut bytes.Buffer
	Run(Options{Plain: true, In: strings.NewReader(strings.Join(plainAnswers, "\n") + "\nout\n"), Out: &out, Err: &errOut})
	text := out.String()
	if regexp.MustCompile(`\]: *\S`).MatchString(text) {
		t.Errorf("a prompt runs into what follows it:\n%s", text)
	}
	for _, l := range strings.Split(text, "\n") {
		if len([]rune(l)) > plainWidth {
			t.Errorf("a line is not wrapped (%d cells): %q", len([]rune(l)), l)
		}
	}
	for _, hint := range []string{"ctrl+", "shift+tab", "esc ", "Press ctrl"} {
		if strings.Contains(text, hint) {
			t.Errorf("--plain speaks of the wizard's keys (%q):\n%s", hint, text)
		}
	}
	if !strings.Contains(text, "\nNode 1 host:\n") || !strings.Contains(text, "\n    ") {
		t.Errorf("no prompt per line or no indented continuation:\n%s", text)
	}
}

// TestPlainRunsTheLiveChecks: --plain runs the wizard's live check after
// each answer, for a cluster not installed yet, and says each finding once.
func TestPlainRunsTheLiveChecks(t *testing.T) {
	t.Chdir(t.TempDir())
	var mu sync.Mutex
	var installed []bool
	probe := func(_ context.Context, a steps.Answers, field string, inst bool) validate.Findings {
		mu.Lock()
		installed = append(installed, inst)
		mu.Unlock()
		if !strings.HasPrefix(field, steps.FieldDatabase) || a.Database.Server == "" {
			return nil
		}
		return validate.Findings{{ID: "dns.host", Severity: validate.Warning, Field: steps.FieldDatabaseServer,
			Message: a.Database.Server + " does not resolve from this machine", Docs: "https://octopus.com/docs/installation/sql-database"}}
	}
	var out bytes.Buffer
	Run(Options{Plain: true, In: strings.NewReader(strings.Join(plainAnswers, "\n") + "\nout\n"), Out: &out, Err: &out, LiveCheck: probe})
	if n := strings.Count(out.String(), "live check: warning: database.server: sql01.corp.local"); n != 1 {
		t.Errorf("the live finding is said %d times, want once:\n%s", n, out.String())
	}
	if n := strings.Count(out.String(), "\n    see https://octopus.com/docs/installation/sql-database\n"); n != 1 {
		t.Errorf("the page the live finding cites is said %d times on a line of its own, want once:\n%s", n, out.String())
	}
	for _, inst := range installed {
		if inst {
			t.Fatal("--plain asked the live check to probe installed nodes for a new cluster")
		}
	}
	if len(installed) == 0 {
		t.Error("--plain ran no live check")
	}
}

// TestPlainProposesAsTheWizardDoes: --plain offers the wizard's
// proposals as the answers Enter keeps: node 1's name from its host, each
// later node counted on from the one above (OCTO2 at octo2.corp.local),
// the certificate files from the https public name. A newcomer types one
// host and presses Enter for the rest; a host typed over its proposal
// takes the name it proposes with it.
func TestPlainProposesAsTheWizardDoes(t *testing.T) {
	t.Chdir(t.TempDir())
	answers := append([]string(nil), plainAnswers...)
	at := func(s string) int {
		for i, a := range answers {
			if a == s {
				return i
			}
		}
		t.Fatalf("%q is not among the answers", s)
		return -1
	}
	for _, typed := range []string{"OCTO1", "OCTO2", "octo2.corp.local", "OCTO3", "/etc/nginx/tls/octopus.pem", "/etc/nginx/tls/octopus.key"} {
		answers[at(typed)] = ""
	}
	// Node 3's proposed host is typed over: its name follows the new host.
	answers[at("octo3.corp.local")] = "octo-c.corp.local"
	var out, errOut bytes.Buffer
	Run(Options{Plain: true, In: strings.NewReader(strings.Join(answers, "\n") + "\n"), Out: &out, Err: &errOut})
	f, err := steps.Load(DefaultAnswersPath)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	a := f.Answers
	var got []string
	for _, n := range a.Nodes {
		got = append(got, n.Name+"@"+n.Host)
	}
	if want := "OCTO1@octo1.corp.local OCTO2@octo2.corp.local OCTO-C@octo-c.corp.local"; strings.Join(got, " ") != want {
		t.Errorf("nodes %v, want %s\n%s", got, want, out.String())
	}
	cert, key, _ := a.ProposedCertificate()
	if a.LoadBalancer.Certificate == "" || a.LoadBalancer.Certificate != cert || a.LoadBalancer.CertificateKey != key {
		t.Errorf("certificate %q and key %q, want the proposal %q %q", a.LoadBalancer.Certificate, a.LoadBalancer.CertificateKey, cert, key)
	}
	text := out.String()
	for _, want := range []string{"Node 1 name [OCTO1]", "Node 2 host [octo2.corp.local]", "Node 2 name [OCTO2]", "Node 3 host [octo3.corp.local]", "Node 3 name [OCTO-C]", "Certificate paths proposed from the public name", "[" + cert + "]"} {
		if !strings.Contains(text, want) {
			t.Errorf("--plain does not say %q:\n%s", want, text)
		}
	}
}
