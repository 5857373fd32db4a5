package ps51

import (
	"slices"
	"strings"
)

// call is one command invocation read from its elements.
type call struct {
	// named are the parameters named, in order, each with its argument
	// node (nil for a switch, or a parameter whose argument is missing).
	named []namedArg
	// positional are the arguments bound by position.
	positional []*Node
	// splatted says the call passes @variable, which the check cannot see
	// into.
	splatted bool
}

type namedArg struct {
	param *Node
	arg   *Node
}

// readCall splits a command's elements into named and positional
// arguments; isSwitch says whether a parameter takes no argument.
func readCall(cmd *Node, isSwitch func(name string) bool) call {
	els := elements(cmd)
	var c call
	for i := 1; i < len(els); i++ {
		e := els[i]
		switch {
		case e.Type == "CommandParameterAst":
			na := namedArg{param: e}
			if e.HasArgument {
				na.arg = e.Kid("Argument")
			} else if !isSwitch(e.Name) && i+1 < len(els) && els[i+1].Type != "CommandParameterAst" {
				i++
				na.arg = els[i]
			}
			c.named = append(c.named, na)
		case e.Type == "VariableExpressionAst" && e.Splatted:
			c.splatted = true
		default:
			c.positional = append(c.positional, e)
		}
	}
	return c
}

// commands checks every command call: the script's own functions against
// their param blocks (RuleFunction), everything else against the 5.1
// table (RuleCmdlet).
func (c *checker) commands() {
	for _, n := range c.f.Nodes {
		if n.Type != "CommandAst" || n.Name == "" || n.Invocation == "Dot" {
			continue
		}
		if fn := c.functions[strings.ToLower(n.Name)]; fn != nil {
			c.functionCall(n, fn)
			continue
		}
		if isPath(n.Name) {
			continue // an .exe or a script by path
		}
		c.cmdletCall(n)
	}
}

// isPath: a command name that is a file, not a cmdlet (& 'C:\x\y.exe',
// sc.exe, .\other.ps1).
func isPath(name string) bool {
	lower := strings.ToLower(name)
	return strings.ContainsAny(name, `/:`) || strings.HasPrefix(name, `.\`) || strings.HasPrefix(name, `\`) ||
		strings.HasSuffix(lower, ".exe") || strings.HasSuffix(lower, ".ps1") || strings.HasSuffix(lower, ".cmd") || strings.HasSuffix(lower, ".bat")
}

// remainingArguments are the 5.1 cmdlets whose positional parameter
// takes every further argument (ValueFromRemainingArguments, which the
// syntax text does not show): Write-Output -InputObject and Write-Host
// -Object (their [Parameter] attributes in PowerShell's
// Microsoft.PowerShell.Commands.Utility), ForEach-Object
// -RemainingScripts.
var remainingArguments = map[string]bool{"write-output": true, "write-host": true, "foreach-object": true}

func (c *checker) cmdletCall(n *Node) {
	name := n.Name
	module := ""
	if i := strings.LastIndex(name, `\`); i >= 0 {
		module, name = name[:i], name[i+1:]
	}
	cmd := c.t.Commands[strings.ToLower(name)]
	if cmd == nil {
		c.report(n, RuleCmdlet, "%s is not a command of Windows PowerShell 5.1 (not in commands-5.1.txt)", n.Name)
		return
	}
	if module != "" && !strings.EqualFold(module, cmd.Module) {
		c.report(n, RuleCmdlet, "%s is in module %s in Windows PowerShell 5.1, not %s", cmd.Name, cmd.Module, module)
	}
	common := len(cmd.Sets) > 0 && cmd.Sets[0].Common
	lookup := func(p string) (Param, bool) {
		for _, s := range cmd.Sets {
			if q := s.Find(p); q != nil {
				return *q, true
			}
		}
		if q, ok := c.t.Common[strings.ToLower(p)]; ok && common {
			return q, true
		}
		return Param{}, false
	}
	cl := readCall(n, func(p string) bool { q, ok := lookup(p); return ok && q.Type == "" })
	var names []string
	unknown := false
	for _, na := range cl.named {
		p, ok := lookup(na.param.Name)
		if !ok {
			c.report(na.param, RuleCmdlet, "-%s is not a parameter of %s in Windows PowerShell 5.1 (parameter names are checked in full; write no abbreviation or alias)", na.param.Name, cmd.Name)
			unknown = true
			continue
		}
		if _, isCommon := c.t.Common[strings.ToLower(p.Name)]; !isCommon {
			names = append(names, p.Name)
		}
		c.checkValue(cmd.Name, p, na.arg)
	}
	if unknown {
		return // already reported
	}
	// Some one parameter set must take every named parameter, with enough
	// positions left for the positional arguments.
	for _, s := range cmd.Sets {
		fits := true
		for _, p := range names {
			if s.Find(p) == nil {
				fits = false
			}
		}
		if !fits {
			continue
		}
		free := 0
		for _, p := range s.Params {
			if p.Positional && !slices.ContainsFunc(names, func(q string) bool { return strings.EqualFold(q, p.Name) }) {
				free++
			}
		}
		if free >= len(cl.positional) || (free > 0 && remainingArguments[strings.ToLower(cmd.Name)]) {
			c.checkPositional(cmd.Name, s, names, cl.positional)
			return
		}
	}
	switch {
	case len(names) == 0:
		c.report(n, RuleCmdlet, "no parameter set of %s in Windows PowerShell 5.1 takes %d positional argument(s)", cmd.Name, len(cl.positional))
	case len(cl.positional) > 0:
		c.report(n, RuleCmdlet, "no parameter set of %s in Windows PowerShell 5.1 takes -%s with %d positional argument(s)", cmd.Name, strings.Join(names, " -"), len(cl.positional))
	default:
		c.report(n, RuleCmdlet, "no parameter set of %s in Windows PowerShell 5.1 takes -%s together", cmd.Name, strings.Join(names, " -"))
	}
}

// checkPositional checks the values of positional arguments, bound in
// order to the set's positional parameters not named.
func (c *checker) checkPositional(cmd string, s ParamSet, named []string, args []*Node) {
	i := 0
	for _, p := range s.Params {
		if i >= len(args) {
			return
		}
		if p.Positional && !slices.ContainsFunc(named, func(q string) bool { return strings.EqualFold(q, p.Name) }) {
			c.checkValue(cmd, p, args[i])
			i++
		}
	}
}

// checkValue holds a constant argument to the values its parameter takes
// in 5.1: an enum's values, or the values a command holds a string
// parameter to. A parameter type in neither the enum nor the plain rows
// must be looked up first.
func (c *checker) checkValue(cmd string, p Param, arg *Node) {
	if arg == nil || p.Type == "" {
		return
	}
	values := constants(arg)
	if values == nil {
		return
	}
	// Start-Sleep -Seconds is an int in 5.1 (a double in 7): 0.5 would
	// become 0 there without a word.
	if t := strings.ToLower(strings.TrimSuffix(p.Type, "[]")); t == "int" || t == "long" {
		for _, v := range values {
			if v.Type == "ConstantExpressionAst" && (v.ValueType == "System.Double" || v.ValueType == "System.Decimal") {
				c.report(v, RuleCmdlet, "%s -%s takes a whole number (%s) in Windows PowerShell 5.1: a fraction is rounded away", cmd, p.Name, p.Type)
			}
		}
		return
	}
	allowed, ok := c.t.Enums[strings.ToLower(cmd+" -"+p.Name)]
	if !ok {
		allowed, ok = c.t.Enums[strings.ToLower(strings.TrimSuffix(p.Type, "[]"))]
	}
	if !ok {
		if !c.t.Plain[strings.ToLower(p.Type)] {
			c.report(arg, RuleCmdlet, "%s -%s takes a %s: add its values (or that it has no fixed set) to enums-5.1.txt from the 5.1 reference", cmd, p.Name, p.Type)
		}
		return
	}
	for _, v := range values {
		if v.Type == "ConstantExpressionAst" {
			continue // a number: an enum's value by number
		}
		if !slices.ContainsFunc(allowed, func(a string) bool { return strings.EqualFold(a, v.Value) }) {
			c.report(v, RuleCmdlet, "%s -%s %s: Windows PowerShell 5.1 takes only %s", cmd, p.Name, quoted(v.Value), strings.Join(allowed, ", "))
		}
	}
}

// constants are the constant values an argument is made of ('a', a, 1,
// 'a', 'b'), or nil when any part of it is computed.
func constants(n *Node) []*Node {
	switch n.Type {
	case "StringConstantExpressionAst", "ConstantExpressionAst":
		return []*Node{n}
	case "ArrayLiteralAst":
		var out []*Node
		for _, k := range n.Kids() {
			v := constants(k)
			if v == nil {
				return nil
			}
			out = append(out, v...)
		}
		return out
	}
	return nil
}

func quoted(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// A script function's parameter, from its param block.
type fnParam struct {
	name       string
	aliases    []string
	isSwitch   bool
	mandatory  bool
	position   int // -1 when not given
	byPipeline bool
}

type fnSignature struct {
	params   []fnParam
	advanced bool // [CmdletBinding()] or a [Parameter()] attribute
	whatIf   bool // SupportsShouldProcess
}

func signature(fn *Node) fnSignature {
	var sig fnSignature
	var params []*Node
	body := fn.Kid("Body")
	if pb := body.Kid("ParamBlock"); pb != nil {
		for _, a := range pb.KidsIn("Attributes") {
			if strings.EqualFold(a.TypeName, "CmdletBinding") {
				sig.advanced = true
				for _, na := range a.KidsIn("NamedArguments") {
					if strings.EqualFold(na.Name, "SupportsShouldProcess") && !isFalse(na) {
						sig.whatIf = true
					}
				}
			}
		}
		params = pb.KidsIn("Parameters")
	} else {
		params = fn.KidsIn("Parameters")
	}
	for _, p := range params {
		fp := fnParam{name: p.Kid("Name").Name, position: -1}
		for _, a := range p.KidsIn("Attributes") {
			switch {
			case a.Type == "TypeConstraintAst" && strings.EqualFold(a.TypeName, "switch"):
				fp.isSwitch = true
			case a.Type == "AttributeAst" && strings.EqualFold(a.TypeName, "Parameter"):
				sig.advanced = true
				for _, na := range a.KidsIn("NamedArguments") {
					switch strings.ToLower(na.Name) {
					case "mandatory":
						fp.mandatory = !isFalse(na)
					case "position":
						if v := na.Kid("Argument"); v != nil && v.Type == "ConstantExpressionAst" {
							fp.position = 0 // the order is what matters, not the number
						}
					case "valuefrompipeline", "valuefrompipelinebypropertyname", "valuefromremainingarguments":
						fp.byPipeline = !isFalse(na)
					}
				}
			case a.Type == "AttributeAst" && strings.EqualFold(a.TypeName, "Alias"):
				for _, v := range a.KidsIn("PositionalArguments") {
					if v.Type == "StringConstantExpressionAst" {
						fp.aliases = append(fp.aliases, v.Value)
					}
				}
			}
		}
		sig.params = append(sig.params, fp)
	}
	return sig
}

// isFalse: [Parameter(Mandatory = $false)].
func isFalse(na *Node) bool {
	v := na.Kid("Argument")
	return v != nil && v.Type == "VariableExpressionAst" && strings.EqualFold(v.Name, "false")
}

func (s fnSignature) find(name string) *fnParam {
	for i := range s.params {
		p := &s.params[i]
		if strings.EqualFold(p.name, name) || slices.ContainsFunc(p.aliases, func(a string) bool { return strings.EqualFold(a, name) }) {
			return p
		}
	}
	return nil
}

// functionCall holds a call of the script's own function to its param
// block: every parameter named is declared (or a common parameter of an
// advanced function), a positional argument has a place, and no mandatory
// parameter is left to a prompt.
func (c *checker) functionCall(n, fn *Node) {
	// A function exists once its definition has run: the script's top
	// level cannot call one defined further down.
	if root := c.f.Root(); unitOf(n) == root && unitOf(fn) == root && n.Start < fn.Start {
		c.report(n, RuleFunction, "%s is called before the script defines it (line %d): PowerShell does not know it yet", fn.Name, fn.Line)
	}
	sig := signature(fn)
	isCommon := func(name string) bool {
		if !sig.advanced {
			return false
		}
		if _, ok := c.t.Common[strings.ToLower(name)]; ok {
			return true
		}
		return sig.whatIf && (strings.EqualFold(name, "WhatIf") || strings.EqualFold(name, "Confirm"))
	}
	cl := readCall(n, func(name string) bool {
		if p := sig.find(name); p != nil {
			return p.isSwitch
		}
		q, ok := c.t.Common[strings.ToLower(name)]
		return isCommon(name) && (!ok || q.Type == "")
	})
	bound := map[*fnParam]bool{}
	for _, na := range cl.named {
		if p := sig.find(na.param.Name); p != nil {
			bound[p] = true
			continue
		}
		if isCommon(na.param.Name) {
			continue
		}
		var names []string
		for _, p := range sig.params {
			names = append(names, "-"+p.name)
		}
		c.report(na.param, RuleFunction, "%s declares no parameter -%s (it takes %s)", fn.Name, na.param.Name, orNone(strings.Join(names, " ")))
	}
	// Positional binding: by Position when any parameter has one, else in
	// declaration order; switches never bind by position.
	explicit := slices.ContainsFunc(sig.params, func(p fnParam) bool { return p.position >= 0 })
	var free []*fnParam
	for i := range sig.params {
		p := &sig.params[i]
		if !bound[p] && !p.isSwitch && (!explicit || p.position >= 0) {
			free = append(free, p)
		}
	}
	for i := range cl.positional {
		if i < len(free) {
			bound[free[i]] = true
		} else if sig.advanced {
			c.report(cl.positional[i], RuleFunction, "%s takes no positional argument here (a positional parameter cannot be found)", fn.Name)
		}
	}
	if cl.splatted {
		return
	}
	piped := n.Up() != nil && n.Up().Type == "PipelineAst" && elementsOf(n.Up())[0] != n
	for i := range sig.params {
		p := &sig.params[i]
		if p.mandatory && !bound[p] && !(p.byPipeline && piped) {
			c.report(n, RuleFunction, "this call of %s leaves the mandatory -%s unset: PowerShell would prompt for it", fn.Name, p.name)
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// elementsOf are a pipeline's elements in source order.
func elementsOf(pipeline *Node) []*Node {
	els := pipeline.KidsIn("PipelineElements")
	slices.SortStableFunc(els, func(a, b *Node) int { return a.Start - b.Start })
	return els
}
