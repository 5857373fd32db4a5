package tui

import (
	"context"
	"math"
	"sort"
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
// a copy of the answers, and with field "" for every probe when Review
// opens; ctx is cancelled as soon as the value changes, and a result for a
// value that is no longer there is dropped. installed is false for a new
// cluster, whose nodes do not run Octopus yet: only what must exist before
// install is probed.
type LiveCheck func(ctx context.Context, a steps.Answers, field string, installed bool) validate.Findings

// wholeCheck is the live state's key for the check of every answer.
const wholeCheck = ""

// liveEntry is one probe's latest findings (same ID and field) and the
// values of the answers they rest on when it ran: when one of those
// changes, the findings are withdrawn.
type liveEntry struct {
	findings validate.Findings
	values   map[string]string
}

// livePause is how long typing must stop before a live check starts.
const livePause = 400 * time.Millisecond

// livePauseMsg says typing in a field paused; it starts a check when no
// edit came since (seq still matches).
type livePauseMsg struct {
	field string
	seq   int
}

// liveResultMsg carries a live check's findings, the value it checked and
// the answers as they were on screen when it started.
type liveResultMsg struct {
	field, value string
	findings     validate.Findings
	answers      steps.Answers
	values       map[string]string
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
	if field != wholeCheck && (m.isPending(field) || value == "") {
		return nil // nothing a probe could check
	}
	ctx := m.liveState(field).Start(value)
	check := m.opts.LiveCheck
	snapshot, probed, installed := m.flow.probeTarget(cloneAnswers(m.answers), field)
	mine, values := cloneAnswers(m.answers), m.fieldValues()
	run := func() tea.Msg {
		found := check(ctx, snapshot, probed, installed)
		for i := range found {
			if found[i].Field == probed {
				found[i].Field = field // the grown cluster's path, back on the New node screen
			}
		}
		return liveResultMsg{field: field, value: value, findings: found, answers: mine, values: values}
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
		if msg.field == wholeCheck {
			v, ok = msg.value, true
		}
		if lc == nil || !ok || v != msg.value || !lc.Finish(msg.value, msg.findings) {
			return nil // stale: the value changed while the probe ran (see abandonStale)
		}
		m.keepLive(msg)
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
		if !lc.Running || path == wholeCheck {
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

// keepLive files a check's findings by probe (ID and field), each with
// the values of the answers it rests on: a finding shows once, under its
// own field, however many fields' checks ran its probe.
func (m *model) keepLive(msg liveResultMsg) {
	byProbe := map[string]validate.Findings{}
	var order []string
	for _, f := range msg.findings {
		k := f.ID + "\x00" + f.Field
		if _, seen := byProbe[k]; !seen {
			order = append(order, k)
		}
		byProbe[k] = append(byProbe[k], f)
	}
	for _, k := range order {
		fs := byProbe[k]
		paths := []string{fs[0].Field}
		if msg.field != wholeCheck {
			paths = append(paths, msg.field)
		}
		if m.opts.LiveDepends != nil {
			paths = append(paths, m.opts.LiveDepends(msg.answers, fs[0])...)
		}
		values := make(map[string]string, len(paths))
		for _, p := range paths {
			if v, ok := msg.values[p]; ok {
				values[p] = v
			} else {
				values[p] = absent
			}
		}
		m.liveFound[k] = &liveEntry{findings: fs, values: values}
	}
	m.openLive()
}

// absent stands for an answer no screen shows.
const absent = "\x00absent"

// fieldValues are the values every field on the wizard's screens shows now.
func (m *model) fieldValues() map[string]string {
	out := map[string]string{}
	for _, form := range m.questionForms() {
		for _, fl := range form.Fields(&m.answers) {
			out[fl.Key()] = form.Shown(&m.answers, fl)
		}
	}
	return out
}

// openLive forgets the live findings whose answers changed and keeps the
// open ones in m.liveOpen. It runs in Update, after every change, so View
// only reads m.liveOpen.
func (m *model) openLive() {
	var stale []string
	m.liveOpen, stale = m.sortLive()
	for _, k := range stale {
		delete(m.liveFound, k)
	}
}

// liveFindings are the open findings of the live checks (those whose
// answers are all as they were when their probe ran), in the wizard's
// field order.
func (m *model) liveFindings() validate.Findings {
	open, _ := m.sortLive()
	return open
}

// sortLive splits the live findings into the open ones, in field order,
// and the keys of the stale ones. It reads only the screens that show an
// answer some finding rests on: on every keystroke, with a finding per
// node, that is one or two screens, not all.
func (m *model) sortLive() (validate.Findings, []string) {
	if len(m.liveFound) == 0 {
		return nil, nil
	}
	now := m.valuesOf(m.liveFound)
	var keys, stale []string
	for k, e := range m.liveFound {
		if stillHolds(e.values, now) {
			keys = append(keys, k)
		} else {
			stale = append(stale, k)
		}
	}
	rank := func(k string) int {
		if r, ok := now[m.liveFound[k].findings[0].Field]; ok {
			return r.rank
		}
		return math.MaxInt
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := rank(keys[i]), rank(keys[j])
		return ri < rj || ri == rj && keys[i] < keys[j]
	})
	var out validate.Findings
	for _, k := range keys {
		for _, f := range m.liveFound[k].findings {
			if f.Severity != validate.OK {
				out = append(out, f)
			}
		}
	}
	return out, stale
}

// shownValue is a field's value on screen and its place in the wizard's
// field order.
type shownValue struct {
	value string
	rank  int
}

// valuesOf reads the fields of the screens that own an answer the
// entries rest on or are about.
// Only those answers go in the map: on every keystroke, with a finding per
// node, that is a quarter of the Nodes screen's fields.
func (m *model) valuesOf(entries map[string]*liveEntry) map[string]shownValue {
	var screens [stepCount + 1]bool // by stepOf+1
	want := map[string]bool{}
	for _, e := range entries {
		for p := range e.values {
			screens[stepOf(p)+1], want[p] = true, true
		}
	}
	out := make(map[string]shownValue, len(want))
	for i, form := range m.questionForms() {
		idx := i
		if i >= len(formSteps) {
			idx = newNodeIndex
		}
		if !screens[idx+1] {
			continue
		}
		for n, fl := range form.Fields(&m.answers) {
			if want[fl.Key()] {
				out[fl.Key()] = shownValue{form.Shown(&m.answers, fl), idx<<16 | n}
			}
		}
	}
	return out
}

// stillHolds reports whether every value a finding rests on is unchanged.
func stillHolds(then map[string]string, now map[string]shownValue) bool {
	for p, v := range then {
		cur := absent
		if s, ok := now[p]; ok {
			cur = s.value
		}
		if cur != v {
			return false
		}
	}
	return true
}

// checkEverything runs every live probe on the whole answers (Review).
func (m *model) checkEverything() tea.Cmd {
	if m.opts.LiveCheck == nil {
		return nil
	}
	return m.startLive(wholeCheck, "")
}
