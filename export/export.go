// Package export is the one code that writes to disk: `octoha export`,
// add-node, remove-node and the wizard's Export screen check the answers,
// render every file (package render, which writes nothing) and write the
// set through WriteSet, all of it or none; the wizard's and --plain's saves
// of the answers go through SaveAnswers.
package export

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/octoha/octoha/render"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// ErrInvalid means the answers have errors; nothing was written.
var ErrInvalid = errors.New("the answers have errors")

// Result is what an export did.
type Result struct {
	// Findings are the pure checks' warnings and errors, after Ignore.
	Findings validate.Findings
	// Written are the paths written, in order.
	Written []string
}

// Options says how Write writes.
type Options struct {
	// Force replaces files that are already there (see WriteSet).
	Force bool
	// Ignore lists finding IDs whose errors are reported as warnings and
	// no longer stop the write (validate.Findings.Ignore).
	Ignore []string
	// Source is the answers file the answers were read from, if any. The
	// copy of the answers is never written over it: exporting into the
	// folder that holds it leaves it as it is, comments and all.
	Source string
}

// Plan checks the answers and renders the files without writing them.
func Plan(a steps.Answers) ([]render.File, validate.Findings, error) {
	return plan(a, nil)
}

// plan is Plan with the errors whose IDs are in ignore reported as
// warnings.
func plan(a steps.Answers, ignore []string) ([]render.File, validate.Findings, error) {
	findings := validate.Check(a).Ignore(ignore)
	if findings.HasErrors() {
		return nil, findings, ErrInvalid
	}
	files, err := render.All(a)
	return files, findings, err
}

// Write checks, renders and writes every file under dir, with a copy of
// the answers (render.AnswersFile, mode 0600) in the same all-or-nothing
// set, so the folder says what it was made from and is what add-node and
// remove-node grow next. Nothing is written when the answers have errors
// or, without opts.Force, when any file already exists.
func Write(a steps.Answers, dir string, opts Options) (Result, error) {
	files, findings, err := plan(a, opts.Ignore)
	res := Result{Findings: findings}
	if err != nil {
		return res, err
	}
	answers := &a
	if sameFile(opts.Source, filepath.Join(dir, filepath.FromSlash(render.AnswersFile))) {
		answers = nil
	}
	res.Written, err = writeWithAnswers(dir, files, answers, opts.Force)
	return res, err
}

// writeWithAnswers writes files and, unless a is nil, the answers (mode
// 0600, as SaveAnswers writes them) into dir as one set. Answers hold no
// secret (steps.TestAnswersHaveNoSecretFields), so the copy carries none.
func writeWithAnswers(dir string, files []render.File, a *steps.Answers, force bool) ([]string, error) {
	opts := WriteOptions{Force: force}
	if a != nil {
		answers, err := steps.Marshal(*a)
		if err != nil {
			return nil, err
		}
		opts.Private = []render.File{{Path: render.AnswersFile, Content: answers}}
	}
	return WriteSet(dir, files, opts)
}

// sameFile is true when a and b name one existing file.
func sameFile(a, b string) bool {
	if a == "" {
		return false
	}
	ia, err := os.Stat(a)
	if err != nil {
		return false
	}
	ib, err := os.Stat(b)
	return err == nil && os.SameFile(ia, ib)
}
