package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/export"
	"github.com/octoha/octoha/render"
	"github.com/octoha/octoha/render/topology"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/tui/form"
	"github.com/octoha/octoha/validate"
)

// reviewScreen shows every answer grouped by step, every open finding and
// the files an export would write; any file opens in a scrollable preview.
type reviewScreen struct {
	st         *styles
	data       reviewData
	width      int
	body       viewport.Model
	files      []render.File
	planErr    error
	selected   int
	fileLine   int // the body line of the first file
	previewing bool
	preview    viewport.Model
	// picture is the cluster drawn for the body's width, made when the
	// answers or the width change, never by a keystroke or View.
	picture []string
}

// reviewData is what Review shows, handed over by the wizard.
type reviewData struct {
	answers  steps.Answers
	findings validate.Findings
	live     validate.Findings // the live checks' open findings
	flow     flow
}

// reviewData is what Review shows now.
func (m *model) reviewData() reviewData {
	return reviewData{answers: m.answers, findings: m.findings, live: m.liveFindings(), flow: m.flow}
}

// open renders the files (pure and fast) and lays the body out in a
// w x h window.
func (r *reviewScreen) open(w, h int, d reviewData) {
	r.files, r.planErr = d.flow.plan(d.answers, d.findings)
	r.selected = min(r.selected, max(len(r.files)-1, 0))
	r.previewing = false
	r.body = viewport.New()
	r.preview = viewport.New()
	r.resize(w, h, d)
	r.body.GotoTop()
}

// resize fits the viewports to a w x h window and refills the body.
func (r *reviewScreen) resize(w, h int, d reviewData) {
	r.width = w
	bodyH := max(h-6, 3)
	r.body.SetWidth(w)
	r.body.SetHeight(bodyH)
	r.preview.SetWidth(w)
	r.preview.SetHeight(bodyH - 1)
	r.refresh(d)
}

// refresh refills the body, e.g. when a live check reports.
func (r *reviewScreen) refresh(d reviewData) {
	r.data = d
	r.picture = drawCluster(d.answers, r.width)
	r.body.SetContentLines(r.content(r.width))
}

// pictureIndent sets the picture in as the answers under each step are.
const pictureIndent = "    "

// drawCluster is the cluster as answered (render/topology, the same
// description CHECKLIST.md draws in Mermaid) in a body w cells wide: boxes
// from topology.MinWidth on, a list below it.
func drawCluster(a steps.Answers, w int) []string {
	drawing := topology.Draw(topology.Describe(a), w-len(pictureIndent))
	lines := strings.Split(strings.TrimSuffix(drawing, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pictureIndent + l
		}
	}
	return lines
}

func (r *reviewScreen) update(e *env, msg tea.Msg) tea.Cmd {
	kmsg, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if r.previewing {
		if key.Matches(kmsg, closePreviewKey) {
			r.previewing = false
			return nil
		}
		var cmd tea.Cmd
		r.preview, cmd = r.preview.Update(kmsg)
		return cmd
	}
	switch {
	case key.Matches(kmsg, e.keys.Back):
		e.post(backMsg{})
		return nil
	case key.Matches(kmsg, e.keys.Enter):
		e.post(completeMsg{})
		return nil
	case key.Matches(kmsg, e.keys.JumpStep):
		e.post(goToMsg{step: int(kmsg.String()[0] - '1')})
		return nil
	case key.Matches(kmsg, e.keys.Next):
		r.choose(1)
	case key.Matches(kmsg, e.keys.Prev):
		r.choose(-1)
	case key.Matches(kmsg, e.keys.Preview):
		if len(r.files) > 0 {
			r.previewing = true
			r.preview.SetContent(previewText(r.files[r.selected].Content))
			r.preview.GotoTop()
		}
	case key.Matches(kmsg, e.keys.Scroll):
		var cmd tea.Cmd
		r.body, cmd = r.body.Update(kmsg)
		return cmd
	}
	return nil
}

// choose moves the file selection and scrolls it into view.
func (r *reviewScreen) choose(delta int) {
	if len(r.files) == 0 {
		r.body.ScrollDown(delta) // nothing to choose: arrows scroll
		return
	}
	r.selected = max(0, min(r.selected+delta, len(r.files)-1))
	r.body.SetContentLines(r.content(r.width))
	r.body.EnsureVisible(r.fileLine+r.selected, 0, 0)
}

func (r *reviewScreen) view(w, h int) []string {
	// The body is what the status line leaves (it may wrap): two lines
	// under the viewports stay empty, as resize sets them. The chosen
	// file, in view before, stays in view.
	if want := max(h-2, 3); r.body.Height() != want {
		chosen := r.fileLine + r.selected
		shown := chosen >= r.body.YOffset() && chosen < r.body.YOffset()+r.body.Height()
		r.body.SetHeight(want)
		r.preview.SetHeight(want - 1)
		r.body.SetYOffset(r.body.YOffset()) // grown, it scrolls no further than its end
		if shown && len(r.files) > 0 {
			r.body.EnsureVisible(chosen, 0, 0)
		}
	}
	if r.previewing {
		f := r.files[r.selected]
		head := r.st.title.Render(f.Path) + r.st.dim.Render(fmt.Sprintf("  %d%%", int(r.preview.ScrollPercent()*100)))
		return append([]string{head}, strings.Split(r.preview.View(), "\n")...)
	}
	return strings.Split(r.body.View(), "\n")
}

// content is the review as lines: answers by step, findings, files.
func (r *reviewScreen) content(w int) []string {
	st, d := r.st, &r.data
	out := []string{st.title.Render("Review")}
	for _, l := range wrap("Every answer, what is still open, and the files an export writes.", w) {
		out = append(out, st.dim.Render(l))
	}
	out = append(out, "")
	out = append(out, st.accent.Render("The cluster as answered"))
	out = append(append(out, r.picture...), "")
	for i, s := range formSteps {
		out = append(out, st.accent.Render(fmt.Sprintf("%d %s", i+1, s.title)))
		rows := s.fields(&d.answers)
		if s.grid {
			if len(rows) == 0 {
				out = append(out, "    (no nodes)")
			}
			out = append(out, nodeLines(&d.answers, w)...)
		} else {
			labelW := 0
			for _, row := range rows {
				labelW = max(labelW, len(row[0].Title()))
			}
			for _, row := range rows {
				fl := row[0]
				lead := "    " + pad(fl.Title(), labelW) + "  "
				v, derived := fl.Value(&d.answers), false
				if text, ok := fl.Derived(&d.answers); v == "" && ok {
					v, derived = text, true
				}
				lines := hanging(lead, v, w)
				for i, l := range lines {
					if derived {
						lines[i] = l[:len(lead)] + st.dim.Render(l[len(lead):])
					}
				}
				out = append(out, lines...)
			}
		}
		out = append(out, "")
	}
	out = append(out, d.flow.reviewLines(*st, d.answers, w)...)
	out = append(out, st.accent.Render("Open findings"))
	live := d.live
	if len(d.findings) == 0 && len(live) == 0 {
		out = append(out, "    none")
	}
	for _, f := range d.findings {
		f.Message = where(f.Field, "") + f.Message
		out = append(out, st.form.FindingLines(validate.Findings{f}, "    ", w)...)
	}
	for _, f := range live {
		f.Message = where(f.Field, "live check") + f.Message
		out = append(out, st.form.FindingLines(validate.Findings{f}, "    ", w)...)
	}
	out = append(out, "", st.accent.Render(d.flow.filesHeading()))
	r.fileLine = len(out)
	switch {
	case r.planErr != nil && len(r.files) == 0:
		why := r.planErr.Error()
		if r.planErr == export.ErrInvalid {
			why = "none until the errors above are fixed"
		}
		for _, l := range wrap(why, w-4) {
			out = append(out, "    "+st.dim.Render(l))
		}
	default:
		for i, f := range r.files {
			marker := "    "
			if i == r.selected {
				marker = "  " + st.accent.Render("> ")
			}
			out = append(out, marker+f.Path+st.dim.Render(fmt.Sprintf("  %d bytes", len(f.Content))))
		}
	}
	return out
}

// previewText is a file as the preview shows it: without the byte order
// mark the scripts start with (Windows PowerShell 5.1 needs it) and with
// Windows line ends as plain ones, whose carriage returns would send the
// terminal's cursor back over the line; no empty line after the last.
func previewText(content []byte) string {
	s := strings.TrimPrefix(string(content), "\ufeff")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "")
	s = strings.ReplaceAll(s, "\t", "    ")
	return strings.TrimSuffix(s, "\n")
}

// where heads a finding on Review: its field and the step it is on, e.g.
// "database.server (Database, live check): ".
func where(field, note string) string {
	var about []string
	if i := stepOf(field); i >= 0 {
		about = append(about, stepName(i))
	}
	if note != "" {
		about = append(about, note)
	}
	head := field
	if len(about) > 0 {
		head = strings.TrimSpace(head + " (" + strings.Join(about, ", ") + ")")
	}
	if head == "" {
		return ""
	}
	return head + ": "
}

func (r *reviewScreen) keys(e *env) bindings {
	k := e.keys
	if r.previewing {
		return bindings{k.Scroll, key.NewBinding(key.WithKeys("↑/↓"), key.WithHelp("↑/↓", "scroll")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close preview")), k.Quit}
	}
	enter := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "go to export"))
	b := bindings{enter}
	if len(r.files) > 0 {
		b = append(b, key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "choose file")), k.Preview)
	}
	return append(b, k.Scroll, k.JumpStep, k.Back, k.Quit)
}

var closePreviewKey = key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc/q", "close the preview"))

// allKeys are every key Review answers to, for the key list.
func (r *reviewScreen) allKeys(e *env) []keyGroup {
	k := e.keys
	if r.previewing {
		v := r.preview.KeyMap
		return []keyGroup{{title: "Preview of " + r.files[r.selected].Path,
			keys: []key.Binding{closePreviewKey, v.Down, v.Up, v.PageDown, v.PageUp, v.HalfPageDown, v.HalfPageUp, v.Left, v.Right}}}
	}
	b := []key.Binding{withDesc(k.Enter, "go to Export")}
	if len(r.files) > 0 {
		b = append(b, withDesc(k.Next, "next file"), withDesc(k.Prev, "previous file"), withDesc(k.Preview, "preview the file"))
	} else {
		b = append(b, withDesc(k.Next, "scroll down"), withDesc(k.Prev, "scroll up"))
	}
	b = append(b, k.Scroll, withDesc(k.JumpStep, "go to that step to change it"), k.Back)
	return []keyGroup{{title: "Review", keys: b}}
}

// nodeLines are the Nodes step's answers, one line a node with its
// columns as wide as the widest name and host (see nodeRow).
func nodeLines(a *steps.Answers, w int) []string {
	nameW, hostW := 0, 0
	for _, n := range a.Nodes {
		nameW, hostW = max(nameW, form.Width(n.Name)), max(hostW, form.Width(n.Host))
	}
	numW := len(itoa(len(a.Nodes)))
	var out []string
	for i, n := range a.Nodes {
		out = append(out, nodeRow(pad(itoa(i+1), numW), pad(n.Name, nameW), pad(n.Host, hostW), a.NodeWebPort(i), a.NodeCommsPort(i), w)...)
	}
	return out
}

// nodeRow is one node in Review: number, name, host and ports on a line;
// in a window too narrow for that, the ports go on a line of their own
// under the host, and a host too long wraps.
func nodeRow(num, name, host string, web, comms, w int) []string {
	lead := "    " + num + "  "
	ports := fmt.Sprintf("web %d  comms %d", web, comms)
	if line := lead + name + "  " + host + "  " + ports; form.Width(line) <= w {
		return []string{line}
	}
	out := hanging(lead, strings.TrimSpace(name)+"  "+strings.TrimSpace(host), w)
	return append(out, strings.Repeat(" ", len(lead))+ports)
}
