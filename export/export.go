// Package export is what `octoha export` and the wizard's Export screen
// share: check the answers, render every file, write them all or none.
package export

import (
	"errors"

	"github.com/octoha/octoha/render"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// ErrInvalid means the answers have errors; nothing was written.
var ErrInvalid = errors.New("the answers have errors")

// Result is what an export did.
type Result struct {
	// Findings are the pure checks' warnings and errors.
	Findings validate.Findings
	// Written are the paths written, in order.
	Written []string
}

// Plan checks the answers and renders the files without writing them.
func Plan(a steps.Answers) ([]render.File, validate.Findings, error) {
	findings := validate.Check(a)
	if findings.HasErrors() {
		return nil, findings, ErrInvalid
	}
	files, err := render.All(a)
	return files, findings, err
}

// Write checks, renders and writes every file under dir. Nothing is
// written when the answers have errors or, without force, when any file
// already exists.
func Write(a steps.Answers, dir string, force bool) (Result, error) {
	files, findings, err := Plan(a)
	res := Result{Findings: findings}
	if err != nil {
		return res, err
	}
	res.Written, err = render.WriteFiles(dir, files, force)
	return res, err
}

// WriteWithAnswers is Write with a copy of the answers in the same
// all-or-nothing set (render.AnswersFile, mode 0600): the wizard's export,
// which leaves the answers beside the files.
func WriteWithAnswers(a steps.Answers, dir string, force bool) (Result, error) {
	files, findings, err := Plan(a)
	res := Result{Findings: findings}
	if err != nil {
		return res, err
	}
	res.Written, err = writeWithAnswers(dir, files, a, force)
	return res, err
}

// writeWithAnswers writes files and the answers (mode 0600, as steps.Save
// writes them) into dir as one set.
func writeWithAnswers(dir string, files []render.File, a steps.Answers, force bool) ([]string, error) {
	answers, err := steps.Marshal(a)
	if err != nil {
		return nil, err
	}
	return render.WriteSet(dir, files, render.WriteOptions{
		Force:   force,
		Private: []render.File{{Path: render.AnswersFile, Content: answers}},
	})
}
