package tui

import (
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/tui/form"
)

// field is one answer on a screen (see form.Field): its key is the answers
// path findings name (validate.Finding.Field), so the screen shows each
// finding under the field it is about. The same fields drive the
// full-screen wizard and --plain.
type field = form.Field[steps.Answers]

// answersForm is a question screen's form.
type answersForm = form.Form[steps.Answers]

// cloneAnswers copies answers deeply, so a live probe running in its own
// goroutine never sees the wizard's later edits.
func cloneAnswers(a steps.Answers) steps.Answers {
	b := a
	b.Nodes = append([]steps.Node(nil), a.Nodes...)
	b.LoadBalancer.TrustedProxies = append([]string(nil), a.LoadBalancer.TrustedProxies...)
	b.Tentacles.Environments = append([]string(nil), a.Tentacles.Environments...)
	b.Tentacles.Roles = append([]string(nil), a.Tentacles.Roles...)
	return b
}
