package ps51

import (
	"sort"
	"strconv"
	"strings"
)

// Under Set-StrictMode -Version Latest, reading a variable no scope has
// assigned throws. strict walks each scope in the order it runs and keeps
// the variables assigned on every path so far (definite assignment):
// an if without else, a loop's body, a catch block and the right side of
// -and or -or may not run, so what only they assign does not count after
// them; a path that ends in throw, return, exit, break or continue drops
// out. A function reads its caller's variables (PowerShell's scopes are
// dynamic): what counts there is what every call site of the function,
// in the script or in another function, has assigned. A function never
// called is not checked for what it reads from outside.
//
// Besides assignments, a variable is there when it is a parameter, a
// foreach or catch variable ($_), one of the automatic variables every
// 5.1 session has (automatic-variables-5.1.txt), or one of these that
// only some places define (about_Automatic_Variables for 5.1): $_ and
// $PSItem in a script block, catch, trap or switch; $foreach in a
// foreach loop; $switch in a switch; $PSCmdlet in an advanced function
// or script; $Matches after -match; $LASTEXITCODE after an .exe ran.
//
// What the check does not see: Set-Variable with a computed name,
// dot-sourcing, Invoke-Expression, and assignments inside a script block
// argument (ForEach-Object { $x = 1 }), which it does not count after
// the command (they may not run).

// varSet is a set of lower-case variable names; all is every name (the
// state of a path that cannot be reached).
type varSet struct {
	all bool
	m   map[string]bool
}

func newSet() varSet { return varSet{m: map[string]bool{}} }

func (s varSet) has(name string) bool { return s.all || s.m[name] }

func (s varSet) clone() varSet {
	if s.all {
		return varSet{all: true}
	}
	c := newSet()
	for k := range s.m {
		c.m[k] = true
	}
	return c
}

func (s *varSet) add(name string) {
	if !s.all {
		s.m[name] = true
	}
}

func intersect(a, b varSet) varSet {
	switch {
	case a.all:
		return b.clone()
	case b.all:
		return a.clone()
	}
	c := newSet()
	for k := range a.m {
		if b.m[k] {
			c.m[k] = true
		}
	}
	return c
}

func (s varSet) equal(o varSet) bool {
	if s.all || o.all {
		return s.all == o.all
	}
	if len(s.m) != len(o.m) {
		return false
	}
	for k := range s.m {
		if !o.m[k] {
			return false
		}
	}
	return true
}

// flow is one point of a walk: the variables assigned on every path to it.
type flow struct {
	vars varSet
	dead bool
}

func (f *flow) clone() *flow { return &flow{vars: f.vars.clone(), dead: f.dead} }

// join is the state after one of several paths ran: what all the live
// ones assigned.
func join(paths ...*flow) *flow {
	out := &flow{vars: varSet{all: true}, dead: true}
	for _, p := range paths {
		if p.dead {
			continue
		}
		out.vars = intersect(out.vars, p.vars)
		out.dead = false
	}
	return out
}

type strictWalk struct {
	c       *checker
	reports bool
	// calls are, per function, the variables assigned at each of its call
	// sites this pass.
	calls map[*Node][]varSet
	// avail are, per function, the variables every call site assigned
	// (from the last pass).
	avail map[*Node]varSet
	// scriptVars are the variables assigned anywhere with $script: or at
	// the script's top level, for $script:x reads.
	scriptVars map[string]bool
	advanced   map[*Node]bool
	// unreported keeps one finding a variable and scope.
	seen map[string]bool
}

func (c *checker) strict() {
	w := &strictWalk{c: c, avail: map[*Node]varSet{}, scriptVars: map[string]bool{}, advanced: map[*Node]bool{}, seen: map[string]bool{}}
	root := c.f.Root()
	var fns []*Node
	for _, n := range c.f.Nodes {
		switch n.Type {
		case "FunctionDefinitionAst":
			fns = append(fns, n)
			w.avail[n] = varSet{all: true}
			w.advanced[n] = signature(n).advanced
		case "VariableExpressionAst":
			if n.Scope == "script" || (n.Scope == "" && unitOf(n) == root) {
				if a := n.Up(); a != nil && a.Type == "AssignmentStatementAst" && n.Role == "Left" {
					w.scriptVars[strings.ToLower(n.Name)] = true
				}
			}
		}
	}
	w.advanced[root] = isAdvancedScript(root)
	// The sets at call sites shrink from every name towards what is
	// assigned, pass by pass, until no function's changes.
	for pass := 0; pass < 50; pass++ {
		w.calls = map[*Node][]varSet{}
		w.walkUnit(root)
		for _, fn := range fns {
			w.walkUnit(fn)
		}
		changed := false
		for _, fn := range fns {
			next := varSet{all: true}
			for _, s := range w.calls[fn] {
				next = intersect(next, s)
			}
			if !next.equal(w.avail[fn]) {
				w.avail[fn] = next
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	w.reports = true
	w.calls = map[*Node][]varSet{}
	w.walkUnit(root)
	for _, fn := range fns {
		w.walkUnit(fn)
	}
}

// isAdvancedScript: a script with [CmdletBinding()] or a [Parameter()]
// parameter has $PSCmdlet.
func isAdvancedScript(root *Node) bool {
	pb := root.Kid("ParamBlock")
	if pb == nil {
		return false
	}
	for _, a := range pb.KidsIn("Attributes") {
		if strings.EqualFold(a.TypeName, "CmdletBinding") {
			return true
		}
	}
	for _, p := range pb.KidsIn("Parameters") {
		for _, a := range p.KidsIn("Attributes") {
			if a.Type == "AttributeAst" && strings.EqualFold(a.TypeName, "Parameter") {
				return true
			}
		}
	}
	return false
}

// walkUnit walks the script's top level, or a function's body from what
// its callers assigned.
func (w *strictWalk) walkUnit(unit *Node) {
	f := &flow{vars: newSet()}
	body := unit
	if unit.Type == "FunctionDefinitionAst" {
		f.vars = w.avail[unit].clone()
		body = unit.Kid("Body")
		for _, p := range unit.KidsIn("Parameters") {
			w.param(p, f)
		}
	}
	w.scriptBlock(body, f)
}

func (w *strictWalk) param(p *Node, f *flow) {
	if d := p.Kid("DefaultValue"); d != nil {
		w.walk(d, f)
	}
	if n := p.Kid("Name"); n != nil {
		f.vars.add(strings.ToLower(n.Name))
	}
}

func (w *strictWalk) scriptBlock(sb *Node, f *flow) {
	if pb := sb.Kid("ParamBlock"); pb != nil {
		for _, p := range pb.KidsIn("Parameters") {
			w.param(p, f)
		}
	}
	for _, role := range []string{"DynamicParamBlock", "BeginBlock", "ProcessBlock", "EndBlock"} {
		if b := sb.Kid(role); b != nil {
			w.walk(b, f)
		}
	}
}

// inOrder are n's children in source order.
func inOrder(nodes []*Node) []*Node {
	sort.SliceStable(nodes, func(i, j int) bool { return nodes[i].Start < nodes[j].Start })
	return nodes
}

func (w *strictWalk) walk(n *Node, f *flow) {
	if n == nil {
		return
	}
	switch n.Type {
	case "FunctionDefinitionAst", "AttributeAst", "TypeConstraintAst", "DataStatementAst", "TypeExpressionAst":
		return
	case "NamedBlockAst", "StatementBlockAst":
		for _, s := range inOrder(n.KidsIn("Statements")) {
			w.walk(s, f)
		}
	case "AssignmentStatementAst":
		w.walk(n.Kid("Right"), f)
		w.assign(n.Kid("Left"), n.Operator != "Equals", f)
	case "CommandAst":
		w.command(n, f)
	case "VariableExpressionAst":
		w.read(n, f)
	case "IfStatementAst":
		var paths []*flow
		conds := n.KidsIn("Clauses.Item1")
		bodies := n.KidsIn("Clauses.Item2")
		for i := range conds {
			w.walk(conds[i], f)
			branch := f.clone()
			w.walk(bodies[i], branch)
			paths = append(paths, branch)
		}
		if e := n.Kid("ElseClause"); e != nil {
			branch := f.clone()
			w.walk(e, branch)
			paths = append(paths, branch)
		} else {
			paths = append(paths, f.clone())
		}
		*f = *join(paths...)
	case "SwitchStatementAst":
		w.walk(n.Kid("Condition"), f)
		in := f.clone()
		in.vars.add("_")
		in.vars.add("psitem")
		in.vars.add("switch")
		if strings.Contains(n.Flags, "Regex") {
			in.vars.add("matches")
		}
		paths := []*flow{}
		pats := n.KidsIn("Clauses.Item1")
		bodies := n.KidsIn("Clauses.Item2")
		for i := range pats {
			w.walk(pats[i], in.clone())
			branch := in.clone()
			w.walk(bodies[i], branch)
			// break and continue leave the switch, not the script.
			branch.dead = branch.dead && !exits(bodies[i])
			paths = append(paths, branch)
		}
		if d := n.Kid("Default"); d != nil {
			branch := in.clone()
			w.walk(d, branch)
			branch.dead = branch.dead && !exits(d)
			paths = append(paths, branch)
		}
		// Without a default, no clause may run: only what was there before
		// counts then.
		if n.Kid("Default") == nil {
			paths = append(paths, f.clone())
		}
		*f = *join(paths...)
	case "ForEachStatementAst":
		w.walk(n.Kid("Condition"), f)
		body := f.clone()
		if v := n.Kid("Variable"); v != nil {
			body.vars.add(strings.ToLower(v.Name))
		}
		body.vars.add("foreach")
		w.walk(n.Kid("Body"), body)
	case "ForStatementAst":
		w.walk(n.Kid("Initializer"), f)
		w.walk(n.Kid("Condition"), f)
		body := f.clone()
		w.walk(n.Kid("Body"), body)
		w.walk(n.Kid("Iterator"), body)
	case "WhileStatementAst":
		w.walk(n.Kid("Condition"), f)
		w.walk(n.Kid("Body"), f.clone())
	case "DoWhileStatementAst", "DoUntilStatementAst":
		// The body runs once at least, unless it breaks out first.
		body := f.clone()
		w.walk(n.Kid("Body"), body)
		if breaks(n.Kid("Body")) || body.dead {
			body = f.clone()
		}
		w.walk(n.Kid("Condition"), body)
		*f = *body
	case "TryStatementAst":
		in := f.clone()
		body := in.clone()
		w.walk(n.Kid("Body"), body)
		paths := []*flow{body}
		for _, cc := range n.KidsIn("CatchClauses") {
			branch := in.clone()
			branch.vars.add("_")
			branch.vars.add("psitem")
			w.walk(cc.Kid("Body"), branch)
			paths = append(paths, branch)
		}
		out := join(paths...)
		if fin := n.Kid("Finally"); fin != nil {
			// The finally block runs after the try, a catch, or an error
			// that leaves the statement: only what was there before counts.
			fb := in.clone()
			w.walk(fin, fb)
			if fb.dead {
				out.dead = true
			}
			for k := range fb.vars.m {
				out.vars.add(k)
			}
		}
		*f = *out
	case "TrapStatementAst":
		t := f.clone()
		t.vars.add("_")
		t.vars.add("psitem")
		w.walk(n.Kid("Body"), t)
	case "ThrowStatementAst", "ReturnStatementAst", "ExitStatementAst":
		w.walk(n.Kid("Pipeline"), f)
		f.dead = true
	case "BreakStatementAst", "ContinueStatementAst":
		f.dead = true
	case "ScriptBlockExpressionAst":
		// Run by a command, maybe more than once, maybe never: its own
		// assignments do not count after it.
		sb := f.clone()
		for _, v := range []string{"_", "psitem", "args", "input"} {
			sb.vars.add(v)
		}
		w.scriptBlock(n.Kid("ScriptBlock"), sb)
	case "BinaryExpressionAst":
		w.walk(n.Kid("Left"), f)
		switch n.Operator {
		case "And", "Or":
			w.walk(n.Kid("Right"), f.clone())
		default:
			w.walk(n.Kid("Right"), f)
		}
		switch strings.TrimPrefix(strings.TrimPrefix(n.Operator, "I"), "C") {
		case "match", "notmatch", "Match", "NotMatch":
			f.vars.add("matches")
		}
	default:
		for _, k := range n.Kids() {
			w.walk(k, f)
		}
	}
}

// exits: a switch clause that ends in break or continue leaves the switch.
func exits(body *Node) bool {
	sts := inOrder(body.KidsIn("Statements"))
	if len(sts) == 0 {
		return false
	}
	last := sts[len(sts)-1]
	return last.Type == "BreakStatementAst" || last.Type == "ContinueStatementAst"
}

// breaks: a do loop's body has a break of its own (not of a nested loop).
func breaks(body *Node) bool {
	found := false
	var visit func(n *Node, depth int)
	visit = func(n *Node, depth int) {
		switch n.Type {
		case "BreakStatementAst":
			if depth == 0 {
				found = true
			}
		case "ForEachStatementAst", "ForStatementAst", "WhileStatementAst", "DoWhileStatementAst", "DoUntilStatementAst", "SwitchStatementAst":
			depth++
		case "ScriptBlockExpressionAst", "FunctionDefinitionAst":
			return
		}
		for _, k := range n.Kids() {
			visit(k, depth)
		}
	}
	visit(body, 0)
	return found
}

// assign records what an assignment's left side assigns; compound
// (+= and the like) reads the variable first.
func (w *strictWalk) assign(left *Node, compound bool, f *flow) {
	switch left.Type {
	case "VariableExpressionAst":
		if compound {
			w.read(left, f)
		}
		if left.Drive == "" {
			f.vars.add(strings.ToLower(left.Name))
		}
	case "ConvertExpressionAst":
		w.assign(left.Kid("Child"), compound, f)
	case "ArrayLiteralAst":
		for _, k := range inOrder(left.Kids()) {
			w.assign(k, compound, f)
		}
	default:
		// $a.b = ..., $a[0] = ...: reads $a.
		w.walk(left, f)
	}
}

// command walks a command's arguments, records a call of the script's
// own function, and what the command assigns: -OutVariable and its kin,
// Set-Variable -Name, and $LASTEXITCODE after an .exe.
func (w *strictWalk) command(n *Node, f *flow) {
	els := elements(n)
	for _, e := range els {
		w.walk(e, f)
	}
	if fn := w.c.functions[strings.ToLower(n.Name)]; fn != nil && n.Invocation != "Dot" {
		w.calls[fn] = append(w.calls[fn], f.vars.clone())
		if f.dead {
			w.calls[fn][len(w.calls[fn])-1] = varSet{all: true}
		}
		return
	}
	for i, e := range els {
		if e.Type != "CommandParameterAst" || i+1 >= len(els) {
			continue
		}
		arg := els[i+1]
		if e.HasArgument {
			arg = e.Kid("Argument")
		}
		name := strings.ToLower(e.Name)
		setsVariable := name == "outvariable" || name == "errorvariable" || name == "warningvariable" || name == "informationvariable" || name == "pipelinevariable" ||
			(name == "name" && (strings.EqualFold(n.Name, "Set-Variable") || strings.EqualFold(n.Name, "New-Variable")))
		if setsVariable && arg != nil && arg.Type == "StringConstantExpressionAst" {
			f.vars.add(strings.ToLower(strings.TrimPrefix(arg.Value, "+")))
		}
	}
	if n.Name == "" || isPath(n.Name) {
		f.vars.add("lastexitcode") // an .exe ran, or & $command did
	}
}

// read reports a variable that may not be assigned here.
func (w *strictWalk) read(v *Node, f *flow) {
	if f.dead || v.Drive != "" {
		return
	}
	name := strings.ToLower(v.Name)
	if _, ps7 := ps7Variables[name]; ps7 {
		return // RulePS7 says it
	}
	switch v.Scope {
	case "script", "global":
		if !w.scriptVars[name] && !w.c.t.Automatic[name] && w.reports {
			w.c.report(v, RuleStrict, "$%s:%s is read but this script never assigns it", v.Scope, v.Name)
		}
		return
	case "using":
		return
	}
	if f.vars.has(name) || w.c.t.Automatic[name] {
		return
	}
	switch name {
	case "pscmdlet":
		if w.advanced[unitOf(v)] || w.advanced[w.c.f.Root()] {
			return
		}
	case "_", "psitem":
		if v.Within("CatchClauseAst", "FunctionDefinitionAst") != nil || v.Within("ScriptBlockExpressionAst", "FunctionDefinitionAst") != nil {
			return
		}
	}
	if !w.reports {
		return
	}
	unit := unitOf(v)
	key := name + "@" + strings.ToLower(unit.Name) + "@" + strconv.Itoa(v.Line)
	if w.seen[key] {
		return
	}
	w.seen[key] = true
	where := "the script's top level"
	if unit.Type == "FunctionDefinitionAst" {
		where = "function " + unit.Name
	}
	c := w.c
	switch name {
	case "lastexitcode":
		c.report(v, RuleStrict, "$LASTEXITCODE is read in %s where no .exe may have run yet: Set-StrictMode -Version Latest throws until one has", where)
	case "matches":
		c.report(v, RuleStrict, "$Matches is read in %s where no -match may have run yet: Set-StrictMode -Version Latest throws until one has", where)
	case "pscmdlet":
		c.report(v, RuleStrict, "$PSCmdlet is read in %s, which is not an advanced function ([CmdletBinding()]): Windows PowerShell 5.1 does not define it there", where)
	default:
		c.report(v, RuleStrict, "$%s is read in %s before it is assigned on every path that reaches it: Set-StrictMode -Version Latest throws there", v.Name, where)
	}
}
