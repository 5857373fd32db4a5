package tui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/tui/form"
	"github.com/octoha/octoha/validate"
)

// LiveCheck probes the real cluster for one answer (DNS, a TCP port, the
// share, SQL Server) and returns what it found. The wizard calls it in a
// tea.Cmd when the admin leaves a field or stops typing for livePause, with
// a copy of the answers; ctx is cancelled as soon as the value changes, and
// a result for a value that is no longer there is dropped.
type LiveCheck func(ctx context.Context, a steps.Answers, field string) validate.Findings

// livePause is how long typing must stop before a live check starts.
const livePause = 400 * time.Millisecond

// livePauseMsg says typing in a field paused; it starts a check when no
// edit came since (seq still matches).
type livePauseMsg struct {
	field string
	seq   int
}

// liveResultMsg carries a live check's findings and the value it checked.
type liveResultMsg struct {
	field, value string
	findings     validate.Findings
}

func (m *model) liveState(field string) *form.Live {
	lc := m.live[field]
	if lc == nil {
		lc = &form.Live{}
		m.live[field] = lc
	}
	return lc
}

// fieldChanged cancels a check of the old value, forgets its findings and
// waits for a pause in typing.
func (m *model) fieldChanged(field, value string) tea.Cmd {
	if m.opts.LiveCheck == nil {
		return nil
	}
	seq := m.liveState(field).Changed(value)
	return tea.Tick(livePause, func(time.Time) tea.Msg { return livePauseMsg{field: field, seq: seq} })
}

// fieldLeft starts a check at once when the admin leaves a field whose
// value has not been checked yet.
func (m *model) fieldLeft(field, value string) tea.Cmd {
	if m.opts.LiveCheck == nil {
		return nil
	}
	lc := m.liveState(field)
	if lc.Running || (lc.Value == value && lc.Findings != nil) {
		return nil
	}
	return m.startLive(field, value)
}

func (m *model) startLive(field, value string) tea.Cmd {
	if m.isPending(field) || value == "" {
		return nil // nothing a probe could check
	}
	ctx := m.liveState(field).Start(value)
	check, snapshot, probed := m.opts.LiveCheck, cloneAnswers(m.answers), field
	snapshot, probed = m.flow.probeTarget(snapshot, field)
	run := func() tea.Msg {
		found := check(ctx, snapshot, probed)
		for i := range found {
			if found[i].Field == probed {
				found[i].Field = field // the grown cluster's path, back on the New node screen
			}
		}
		return liveResultMsg{field: field, value: value, findings: found}
	}
	if !m.spinOn {
		m.spinOn = true
		return tea.Batch(run, m.spinner.Tick)
	}
	return run
}

func (m *model) updateLive(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case livePauseMsg:
		lc := m.live[msg.field]
		if lc == nil || lc.Seq != msg.seq {
			return nil
		}
		if v, ok := m.currentValue(msg.field); ok && !lc.Checked(v) {
			return m.startLive(msg.field, v)
		}
	case liveResultMsg:
		lc := m.live[msg.field]
		v, ok := m.currentValue(msg.field)
		if lc == nil || !ok || v != msg.value || !lc.Finish(msg.value, msg.findings) {
			return nil // stale: the value changed while the probe ran (see abandonStale)
		}
		if !m.onStart && m.stepIdx == reviewIndex {
			m.review.refresh(m.reviewData()) // Review lists live findings too
		}
	case spinner.TickMsg:
		if !m.anyLiveRunning() {
			m.spinOn = false
			return nil
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return cmd
	}
	return nil
}

// abandonStale stops every running check whose value is no longer its
// field's, however the answer changed (a removed node moves the rows below
// it up, an opened file replaces every answer): its result would be
// dropped, so its probe must not run on to its timeout, holding a
// connection and whatever a hostile server makes it hold.
func (m *model) abandonStale() {
	for path, lc := range m.live {
		if !lc.Running {
			continue
		}
		if v, ok := m.currentValue(path); !ok || v != lc.Value {
			lc.Stop()
		}
	}
}

func (m *model) anyLiveRunning() bool {
	for _, lc := range m.live {
		if lc.Running {
			return true
		}
	}
	return false
}

// currentValue is the field's value now, wherever it is on screen; ok is
// false when no field with that path exists any more.
func (m *model) currentValue(path string) (string, bool) {
	for _, f := range m.questionForms() {
		for _, fl := range f.Fields(&m.answers) {
			if fl.Key() == path {
				return f.Shown(&m.answers, fl), true
			}
		}
	}
	return "", false
}

// isPending reports whether the field at path shows text that is not an
// answer yet.
func (m *model) isPending(path string) bool {
	i := stepOf(path)
	return i >= 0 && m.isForm(i) && m.formOf(i).IsPending(path)
}

// liveFindings are the open findings of the live checks that are done and
// whose value is still the field's value, in the wizard's field order.
func (m *model) liveFindings() validate.Findings {
	var out validate.Findings
	for _, form := range m.questionForms() {
		for _, fl := range form.Fields(&m.answers) {
			lc := m.live[fl.Key()]
			if lc == nil || !lc.Done(form.Shown(&m.answers, fl)) {
				continue
			}
			for _, f := range lc.Findings {
				if f.Severity == validate.OK {
					continue
				}
				if f.Field == "" {
					f.Field = fl.Key()
				}
				out = append(out, f)
			}
		}
	}
	return out
}
