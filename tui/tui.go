// Package tui is octoha's wizard: Bubble Tea screens for each step, from the
// Octopus basics to Export, and the same questions line by line (--plain)
// for screen readers and serial consoles.
package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// Options are what main passes to the wizard.
type Options struct {
	// AnswersPath is the answers file to open and to save to as steps are
	// completed; "" means ./octoha-answers.yaml, created on first save.
	AnswersPath string
	// OpenExisting is true when the admin named AnswersPath with --answers.
	// A named file that does not exist yet starts a new cluster saved there.
	OpenExisting bool
	NoColor      bool
	Plain        bool
	In           io.Reader
	Out, Err     io.Writer
	// Version is octoha's own version, shown in the header.
	Version string
	// LiveCheck, when set, probes the real cluster for a field (see
	// LiveCheck); nil means pure checks only.
	LiveCheck LiveCheck
	// LiveDepends names the answers a live finding rests on besides its
	// own field (validate/live.DependsOn); when one changes, the finding
	// is withdrawn. nil: only its field and the field checked.
	LiveDepends func(a steps.Answers, f validate.Finding) []string
	// ListNodes, when set, lists the nodes Octopus knows from the
	// cluster's database, for adding a node without an answers file;
	// sqlPassword is used only with SQL authentication and never saved.
	ListNodes func(ctx context.Context, a steps.Answers, sqlPassword string) ([]KnownNode, error)
}

// KnownNode is a node recorded in the cluster's database
// (dbo.OctopusServerNode).
type KnownNode struct {
	Name string
	// SinceSeen is how long ago the node last checked in; HasLastSeen is
	// false when the table does not say.
	SinceSeen   time.Duration
	HasLastSeen bool
	// Live is true when the node checked in within the last few minutes.
	Live     bool
	Draining bool
	// Stale is a row not seen for longer than check's stale threshold
	// (dbprobe.DefaultStaleAfter): a node gone or renamed.
	Stale bool
}

// Exit codes, as main's.
const (
	exitOK      = 0
	exitInvalid = 1
	exitUsage   = 2
)

const notATerminal = `octoha: the wizard needs a terminal, and stdin or stdout is not one.
Either run it with --plain to answer the questions line by line:
  octoha --plain [--answers FILE]
or write an answers file (start from examples/*.yaml) and export it:
  octoha export --answers FILE --out DIR
`

// Run starts the wizard and returns the process exit code.
func Run(opts Options) int {
	if opts.In == nil {
		opts.In = os.Stdin
	}
	if opts.Out == nil {
		opts.Out = os.Stdout
	}
	if opts.Err == nil {
		opts.Err = os.Stderr
	}
	if opts.AnswersPath == "" {
		opts.AnswersPath = DefaultAnswersPath
	}
	t := detectTerminal(opts)
	opts.NoColor = !t.color
	if opts.Plain {
		return runPlain(opts)
	}
	if !t.interactive {
		fmt.Fprint(opts.Err, notATerminal)
		return exitUsage
	}
	m, err := openModel(opts)
	if err != nil {
		fmt.Fprintln(opts.Err, "octoha:", err)
		return exitInvalid
	}
	if _, err := tea.NewProgram(m, programOptions(opts)...).Run(); err != nil {
		fmt.Fprintln(opts.Err, "octoha:", err)
		return exitInvalid
	}
	return exitOK
}

// openModel is the wizard as it starts: at the start screen, or resuming
// the file --answers named.
func openModel(opts Options) (*model, error) {
	m := newModel(opts)
	if !opts.OpenExisting {
		return m, nil
	}
	a, byOctoha, err := loadAnswers(opts.AnswersPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		m.newCluster()
	case err != nil:
		return nil, err
	default:
		m.openAnswers(a, opts.AnswersPath, byOctoha)
	}
	m.frame = m.render()
	return m, nil
}

// loadAnswers reads an answers file and says whether octoha wrote it (so
// may save over it); a missing file is fs.ErrNotExist.
func loadAnswers(path string) (steps.Answers, bool, error) {
	if _, err := os.Stat(path); err != nil {
		return steps.Answers{}, false, err
	}
	f, byOctoha, err := readAnswers(path)
	if err != nil {
		return steps.Answers{}, false, err
	}
	return f.Answers, byOctoha, nil
}
