package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// BenchmarkNodesKeystroke is one keystroke on the Nodes screen with 16
// nodes: Update (text input, validate.Check, re-layout) and a full frame.
// Target: well under 170µs.
func BenchmarkNodesKeystroke(b *testing.B) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		b.Run(itoa(size[0])+"x"+itoa(size[1]), func(b *testing.B) {
			m := newModel(Options{AnswersPath: DefaultAnswersPath, NoColor: false})
			m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			m.newCluster()
			m.answers = wantCluster()
			for i := 3; i < 16; i++ {
				m.answers.Nodes = append(m.answers.Nodes, m.answers.Nodes[0])
				m.answers.Nodes[i].Name, m.answers.Nodes[i].Host = "OCTO"+itoa(i+1), "octo"+itoa(i+1)+".corp.local"
			}
			m.recheck()
			m.goTo(3)
			m.formOf(3).Focus(&m.answers, 8*4) // node 9's name, mid-screen
			keys := []tea.KeyPressMsg{{Code: 'x', Text: "x"}, {Code: tea.KeyBackspace}}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m.Update(keys[i%2])
				_ = m.View()
			}
		})
	}
}
