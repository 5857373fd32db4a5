package tui

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/octoha/octoha/export"
	"github.com/octoha/octoha/steps"
)

// writtenByOctoha reports whether the answers file at path, whose content
// is data, is one the wizard may save over: it begins with octoha's header
// and is not one of the examples (examples/ belongs to the repository).
func writtenByOctoha(path string, data []byte) bool {
	if !steps.WrittenByOctoha(data) {
		return false
	}
	// path is a local file on this machine, so filepath is right here.
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	for _, part := range strings.Split(filepath.ToSlash(abs), "/") {
		if part == "examples" {
			return false
		}
	}
	return true
}

// readAnswers loads an answers file and says whether octoha wrote it.
func readAnswers(path string) (*steps.File, bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false, fmt.Errorf("cannot read the answers file: %w", err)
	}
	f, err := steps.Parse(path, data)
	if err != nil {
		return nil, false, err
	}
	return f, writtenByOctoha(path, data), nil
}

// saveTo decides where answers opened from path are saved: back into path
// when octoha wrote it, else ./octoha-answers.yaml, saying so once.
func (m *model) saveTo(path string, byOctoha bool) {
	if byOctoha {
		m.path, m.pathOwned = path, true
		return
	}
	m.path, m.pathOwned = DefaultAnswersPath, false
	m.setStatus(handWrittenNote(path), false)
	m.keepNote = true
}

func handWrittenNote(path string) string {
	if samePath(path, DefaultAnswersPath) {
		return path + " was written by hand; octoha asks before saving over it"
	}
	return path + " was written by hand; your answers are saved to ./" + DefaultAnswersPath
}

func samePath(a, b string) bool {
	x, errA := filepath.Abs(a)
	y, errB := filepath.Abs(b)
	return errA == nil && errB == nil && x == y
}

// errOtherFile means the save target holds answers octoha was not told it
// may overwrite.
var errOtherFile = errors.New("the file exists and holds other answers")

// savedMsg reports a save of the answers file.
type savedMsg struct {
	path     string
	err      error
	thenQuit bool
	// free is a name beside path that does not exist yet, offered when
	// err is errOtherFile.
	free string
	// held says what path holds, when err is errOtherFile.
	held string
}

// save writes the answers file (atomic, 0600) in a command, off the
// update loop. Until the wizard owns the target it first checks that no
// other file is there: an existing file with other content is never
// overwritten without asking.
func (m *model) save(thenQuit bool) tea.Cmd {
	a, path, owned := cloneAnswers(m.answers), m.path, m.pathOwned
	return func() tea.Msg {
		msg := savedMsg{path: path, thenQuit: thenQuit}
		data, err := steps.Marshal(a)
		if err != nil {
			msg.err = err
			return msg
		}
		if !owned {
			old, err := os.ReadFile(path)
			switch {
			case err == nil && !bytes.Equal(old, data):
				msg.err, msg.free, msg.held = errOtherFile, freeName(path), whatItHolds(path, old)
				return msg
			case err != nil && !errors.Is(err, fs.ErrNotExist):
				msg.err = err
				return msg
			}
		}
		msg.err = export.WriteFileAtomic(path, data, 0o600)
		return msg
	}
}

// freeName is path with -2, -3, ... before its extension: the first that
// does not exist.
func freeName(path string) string {
	ext := filepath.Ext(path)
	base := strings.TrimSuffix(path, ext)
	for n := 2; ; n++ {
		p := fmt.Sprintf("%s-%d%s", base, n, ext)
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			return p
		}
	}
}

// saved handles a save's result.
func (m *model) saved(msg savedMsg) tea.Cmd {
	if msg.path != m.path {
		return nil // a save to a target since abandoned
	}
	switch {
	case errors.Is(msg.err, errOtherFile):
		m.clobber = &clobberQuestion{path: msg.path, free: msg.free, held: msg.held, thenQuit: msg.thenQuit}
		return nil
	case msg.err != nil:
		m.setStatus(fmt.Sprintf("could not save %s: %v", m.path, msg.err), true)
	default:
		m.pathOwned = true
		if m.keepNote {
			m.keepNote = false // the hand-written note stays through the first save
		} else {
			m.setStatus("answers saved to "+m.path, false)
		}
	}
	if msg.thenQuit {
		if msg.err != nil {
			m.quitting = true
			return nil
		}
		return tea.Quit
	}
	return nil
}

// whatItHolds says, in a sentence, what the answers file at path (content
// old) holds that a save would replace: earlier answers octoha saved
// itself (named by their public URL and nodes, so the admin can tell which
// cluster they are), or a file octoha did not write.
func whatItHolds(path string, old []byte) string {
	if !writtenByOctoha(path, old) {
		return path + " already exists and holds other answers, which octoha did not write."
	}
	f, err := steps.Parse(path, old)
	if err != nil {
		return path + " holds answers octoha saved earlier; they no longer load (" + oneLine(err.Error()) + ")."
	}
	return path + " holds answers octoha saved earlier" + earlierCluster(f.Answers) + "."
}

// earlierCluster names the cluster earlier answers are for, as
// " for URL with N nodes", or "" when they do not say.
func earlierCluster(a steps.Answers) string {
	var parts []string
	if u := strings.TrimSpace(a.LoadBalancer.PublicURL); u != "" {
		parts = append(parts, "for "+oneLine(u))
	}
	switch n := len(a.Nodes); n {
	case 0:
	case 1:
		parts = append(parts, "with 1 node")
	default:
		parts = append(parts, fmt.Sprintf("with %d nodes", n))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, " ") + ")"
}

// oneLine keeps text read from a file on one screen line (the loader has
// already refused control characters in answers).
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// clobberQuestion asks before saving over a file octoha does not own yet:
// one it did not write, or earlier answers it saved in another session.
type clobberQuestion struct {
	path, free string
	// held says what path holds (whatItHolds).
	held     string
	thenQuit bool
}

var (
	overwriteKey = key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "overwrite"))
	elsewhereKey = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "save to a new file"))
	notNowKey    = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "do not save now"))
)

func (m *model) updateClobber(msg tea.KeyPressMsg) tea.Cmd {
	q := m.clobber
	switch {
	case key.Matches(msg, overwriteKey):
		m.clobber, m.pathOwned = nil, true
		return m.save(q.thenQuit)
	case key.Matches(msg, elsewhereKey):
		m.clobber, m.path, m.pathOwned = nil, q.free, false
		return m.save(q.thenQuit)
	case key.Matches(msg, notNowKey), key.Matches(msg, m.keys.Quit):
		m.clobber = nil
		m.setStatus("answers not saved: "+q.path+" is as it was", true)
		if q.thenQuit {
			m.quitting = true
		}
	}
	return nil
}

func (m *model) clobberView(w, h int) []string {
	// The whole path once, in what the file holds; the question and the
	// choices name the file, in its folder.
	q := m.clobber
	name, free := filepath.Base(q.path), filepath.Base(q.free)
	var out []string
	for _, l := range wrap("Save over "+name+"?", w) {
		out = append(out, m.st.title.Render(l))
	}
	out = append(out, "")
	out = append(out, wrap(q.held, w-2)...)
	out = append(out, "")
	out = append(out, hanging("  o  ", "overwrite "+name, w)...)
	out = append(out, hanging("  n  ", "save to "+free+" beside it instead", w)...)
	return append(out, hanging("  esc  ", "do not save now", w)...)
}

func (m *model) clobberKeys() bindings {
	return bindings{overwriteKey, elsewhereKey, notNowKey}
}
