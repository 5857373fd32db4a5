package tui

import (
	"regexp"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// sgrColor matches an SGR sequence that sets a foreground or background
// colour (30-37, 38;..., 40-47, 48;..., 90-97, 100-107).
var sgrColor = regexp.MustCompile(`\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m`)

// TestColorWanted: colour is main's decision (streams.go reads NO_COLOR
// and TERM once); the wizard takes NoColor as it comes.
func TestColorWanted(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	t.Setenv("TERM", "dumb")
	if !colorWanted(Options{}) {
		t.Error("the wizard read the environment instead of the NoColor main passed")
	}
	if colorWanted(Options{NoColor: true}) {
		t.Error("NoColor left colour on")
	}
}

// Without colour no frame carries a colour sequence; with it, the accent
// and the error style do. The wizard uses no emoji either way.
func TestNoColorFramesHaveNoColor(t *testing.T) {
	for _, color := range []bool{false, true} {
		t.Chdir(t.TempDir())
		m := newModel(Options{AnswersPath: DefaultAnswersPath, NoColor: !color, Version: "test"})
		m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		m.Update(keyMsg("enter")) // a new cluster: the Octopus step
		m.Update(keyMsg("tab"))
		m.Update(keyMsg("ctrl+u")) // an empty instance name: an error under the field
		frame := m.render()
		if got := sgrColor.MatchString(frame); got != color {
			t.Errorf("colour %v: frame has colour sequences: %v\n%q", color, got, frame)
		}
		for _, r := range frame {
			if r >= 0x1F300 && r <= 0x1FAFF || r >= 0x2600 && r <= 0x27BF {
				t.Errorf("emoji or pictograph %q in the frame", r)
			}
		}
	}
}
