package ps51

import (
	"regexp"
	"strings"
)

// ps7Variables are automatic and preference variables that PowerShell 6
// and 7 define and Windows PowerShell 5.1 does not (about_Automatic_
// Variables and about_Preference_Variables, 7.x against 5.1): read under
// Set-StrictMode on 5.1, each throws.
var ps7Variables = map[string]string{
	"iswindows": "PowerShell 6", "islinux": "PowerShell 6", "ismacos": "PowerShell 6", "iscoreclr": "PowerShell 6",
	"psstyle": "PowerShell 7.2", "enabledexperimentalfeatures": "PowerShell 7",
	"psnativecommandargumentpassing": "PowerShell 7.3", "psnativecommanduseerroractionpreference": "PowerShell 7.3",
}

// A number literal with a PowerShell 6.2+ type suffix (u, us, ul, uy, y,
// s, n) or a 0b binary prefix (PowerShell 7): about_Numeric_Literals for
// 5.1 lists only l and d.
var ps7Number = regexp.MustCompile(`(?i)^(?:0b[01]+|(?:0x[0-9a-f]+|[0-9.]+(?:e[+-]?[0-9]+)?)(?:u|us|ul|uy|y|s|n))(?:kb|mb|gb|tb|pb)?$`)

// ps7 reports syntax the Windows PowerShell 5.1 parser refuses or runs
// differently: the tree is PowerShell 7's, which parses all of it.
func (c *checker) ps7() {
	for _, n := range c.f.Nodes {
		switch n.Type {
		case "TernaryExpressionAst":
			c.report(n, RulePS7, "the ternary operator a ? b : c is PowerShell 7.0; use if/else")
		case "PipelineChainAst":
			c.report(n, RulePS7, "the pipeline chain operators && and || are PowerShell 7.0; use if ($?) or check $LASTEXITCODE")
		case "BinaryExpressionAst":
			switch n.Operator {
			case "QuestionQuestion":
				c.report(n, RulePS7, "the null-coalescing operator ?? is PowerShell 7.0; use if ($null -eq ...)")
			case "Ireplace", "Creplace":
				if right := n.Kid("Right"); right != nil && holdsScriptBlock(right) {
					c.report(n, RulePS7, "-replace with a script block substitution is PowerShell 6.1; use [regex]::Replace with a MatchEvaluator")
				}
			}
		case "AssignmentStatementAst":
			if n.Operator == "QuestionQuestionEquals" {
				c.report(n, RulePS7, "the null-coalescing assignment ??= is PowerShell 7.0; use if ($null -eq ...)")
			}
		case "MemberExpressionAst", "InvokeMemberExpressionAst", "IndexExpressionAst":
			if n.NullConditional {
				c.report(n, RulePS7, "the null-conditional operators ?. and ?[] are PowerShell 7.1; check for $null first")
			}
		case "PipelineAst":
			if n.Background {
				c.report(n, RulePS7, "a pipeline ending in & (background job) is PowerShell 6.0; use Start-Job")
			}
		case "ScriptBlockAst":
			if n.Kid("CleanBlock") != nil {
				c.report(n, RulePS7, "the clean block is PowerShell 7.3; use try/finally")
			}
		case "VariableExpressionAst":
			if v, ok := ps7Variables[strings.ToLower(n.Name)]; ok && n.Drive == "" {
				c.report(n, RulePS7, "$%s is %s only: Windows PowerShell 5.1 does not define it", n.Name, v)
			}
		}
	}
	for _, tok := range c.f.Tokens {
		switch tok.Kind {
		case "Number":
			if ps7Number.MatchString(tok.Text) {
				c.findings = append(c.findings, Finding{File: c.f.Name, Line: tok.Line, Column: tok.Column, Rule: RulePS7,
					Message: "the number " + tok.Text + " uses a PowerShell 6.2+ suffix or 0b prefix"})
			}
		case "StringExpandable", "HereStringExpandable":
			if esc := ps7Escape(tok.Text); esc != "" {
				c.findings = append(c.findings, Finding{File: c.f.Name, Line: tok.Line, Column: tok.Column, Rule: RulePS7,
					Message: "the escape `" + esc + " is PowerShell 6.0; Windows PowerShell 5.1 prints it as " + esc})
			}
		}
	}
}

// holdsScriptBlock: the right side of -replace is 'pattern', { ... }.
func holdsScriptBlock(n *Node) bool {
	if n.Type == "ScriptBlockExpressionAst" {
		return true
	}
	if n.Type == "ArrayLiteralAst" {
		for _, k := range n.Kids() {
			if k.Type == "ScriptBlockExpressionAst" {
				return true
			}
		}
	}
	return false
}

// ps7Escape finds `e or `u{...} in an expandable string's text, which
// PowerShell 6 added (about_Special_Characters); a doubled backtick is a
// literal one.
func ps7Escape(text string) string {
	for i := 0; i < len(text)-1; i++ {
		if text[i] != '`' {
			continue
		}
		switch next := text[i+1]; {
		case next == 'e':
			return "e"
		case next == 'u' && i+2 < len(text) && text[i+2] == '{':
			return "u{"
		}
		i++ // the escaped character
	}
	return ""
}
