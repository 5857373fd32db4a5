package form

import (
	"context"

	"github.com/octoha/octoha/validate"
)

// Live is the state of one field's live check (a probe of the real
// cluster), kept by its owner per answers path. Like bubbles' ticks,
// a message for an older edit (Seq) or another value is stale and dropped.
type Live struct {
	Seq      int    // bumped by every edit; a pause for an older Seq is stale
	Value    string // the value being (or last) checked
	Running  bool
	cancel   context.CancelFunc
	Findings validate.Findings
}

// Changed records an edit to value: a check of another value stops and
// its findings go. It returns the Seq a pause in typing must carry.
func (l *Live) Changed(value string) int {
	l.Seq++
	if l.Running && l.Value != value {
		l.Stop()
	}
	if l.Value != value {
		l.Findings = nil
	}
	return l.Seq
}

// Checked reports whether value is being or has been checked.
func (l *Live) Checked(value string) bool {
	return l.Value == value && (l.Running || l.Findings != nil)
}

// Start begins a check of value, stopping one under way; the check
// runs with the context returned.
func (l *Live) Start(value string) context.Context {
	if l.Running {
		l.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	l.Value, l.Running, l.cancel, l.Findings = value, true, cancel, nil
	return ctx
}

// Stop abandons the check under way: its result will be dropped.
func (l *Live) Stop() {
	if l.Running {
		l.cancel()
		l.Running = false
	}
}

// Finish takes a result for value, unless it is stale (the check was
// stopped, or checked another value); it reports whether it took it.
func (l *Live) Finish(value string, found validate.Findings) bool {
	if !l.Running || l.Value != value {
		return false
	}
	l.Stop()
	l.Findings = found
	if l.Findings == nil {
		l.Findings = validate.Findings{}
	}
	return true
}

// Done reports whether a finished check's findings are for value.
func (l *Live) Done(value string) bool { return !l.Running && l.Value == value }
