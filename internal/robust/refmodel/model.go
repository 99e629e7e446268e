package refmodel

import (
	"fmt"
	"sort"
	"time"
)

// state is the C++ BasicWork::InternalState.
type state int

const (
	pending state = iota
	running
	waiting
	aborting
	aborted
	retrying
	succeeded
	failed
)

var stateNames = [...]string{
	"WORK_PENDING", "WORK_RUNNING", "WORK_WAITING", "WORK_ABORTING",
	"WORK_ABORTED", "WORK_RETRYING", "WORK_SUCCESS", "WORK_FAILURE",
}

func (s state) String() string { return stateNames[s] }

func (s state) done() bool { return s == succeeded || s == failed || s == aborted }

// pub is the C++ BasicWork::State, what getState returns.
type pub int

const (
	pRunning pub = iota
	pWaiting
	pAborted
	pSuccess
	pFailure
)

func (s state) public() pub {
	switch s {
	case pending, running, aborting:
		return pRunning
	case waiting, retrying:
		return pWaiting
	case succeeded:
		return pSuccess
	case failed:
		return pFailure
	}
	return pAborted
}

// internalOf is getInternalState.
func internalOf(p pub) state {
	switch p {
	case pSuccess:
		return succeeded
	case pFailure:
		return failed
	case pWaiting:
		return waiting
	case pRunning:
		return running
	}
	return aborted
}

// allowedTransitions is ALLOWED_TRANSITIONS.
var allowedTransitions = map[[2]state]bool{
	{pending, running}: true, {pending, aborting}: true,
	{running, running}: true, {running, waiting}: true, {running, succeeded}: true,
	{running, failed}: true, {running, retrying}: true, {running, aborting}: true,
	{waiting, running}: true, {waiting, aborting}: true,
	{retrying, waiting}:  true,
	{succeeded, pending}: true, {failed, pending}: true,
	{aborting, aborting}: true, {aborting, aborted}: true,
	{aborted, pending}: true,
}

// Assert is the panic value of the model where the C++ asserts or throws.
// Transition is set for an illegal state transition.
type Assert struct {
	Transition bool
	Msg        string
}

func (a *Assert) Error() string { return a.Msg }

func assertf(format string, args ...any) {
	panic(&Assert{Msg: fmt.Sprintf(format, args...)})
}

// ---------------------------------------------------------------------------
// The clock: VirtualClock in VIRTUAL_TIME mode, with nothing but the work
// scheduler posting actions.

type event struct {
	when      time.Duration
	seq       int
	triggered bool
	cb        func(abortedOp bool)
}

// lower is the order of the clock's std::priority_queue: a compares lower
// than b when it is due later (or, due together, has the higher seq), so
// the top is the earliest event.
func lower(a, b *event) bool { return a.when > b.when || (a.when == b.when && a.seq > b.seq) }

// evheap is a std::priority_queue<event> as libstdc++ runs it: push_back
// and push_heap, pop_heap and pop_back, and make_heap for a queue built
// from a range. Which of several events due together fires first depends
// on this layout; the transitions the tests compare show it.
type evheap []*event

func (h evheap) pushUp(hole, top int, v *event) {
	parent := (hole - 1) / 2
	for hole > top && lower(h[parent], v) {
		h[hole] = h[parent]
		hole = parent
		parent = (hole - 1) / 2
	}
	h[hole] = v
}

func (h evheap) adjust(hole, n int, v *event) {
	top, second := hole, hole
	for second < (n-1)/2 {
		second = 2 * (second + 1)
		if lower(h[second], h[second-1]) {
			second--
		}
		h[hole] = h[second]
		hole = second
	}
	if n%2 == 0 && second == (n-2)/2 {
		second = 2 * (second + 1)
		h[hole] = h[second-1]
		hole = second - 1
	}
	h.pushUp(hole, top, v)
}

func (h *evheap) push(e *event) {
	*h = append(*h, e)
	h.pushUp(len(*h)-1, 0, e)
}

func (h *evheap) pop() *event {
	x := *h
	top := x[0]
	if n := len(x) - 1; n > 0 {
		v := x[n]
		x[n] = x[0]
		x.adjust(0, n, v)
	}
	x[len(x)-1] = nil
	*h = x[:len(x)-1]
	return top
}

func makeHeap(es []*event) evheap {
	h := evheap(es)
	n := len(h)
	if n < 2 {
		return h
	}
	for parent := (n - 2) / 2; ; parent-- {
		h.adjust(parent, n, h[parent])
		if parent == 0 {
			return h
		}
	}
}

type clock struct {
	now            time.Duration
	events         evheap
	flushesIgnored int
	pending        []func() // posted, not yet moved to the scheduler
	actions        []func() // the scheduler's one queue
	io             int      // queued wake-up handlers
}

func (c *clock) post(f func()) {
	if len(c.pending) == 0 {
		c.io++
	}
	c.pending = append(c.pending, f)
}

func (c *clock) flushCancelledEvents() {
	if c.flushesIgnored <= len(c.events) {
		c.flushesIgnored++
		return
	}
	var keep []*event
	for len(c.events) > 0 {
		if e := c.events.pop(); !e.triggered {
			keep = append(keep, e)
		}
	}
	c.events = makeHeap(keep)
	c.flushesIgnored = 0
}

// crank is VirtualClock::crank(false).
func (c *clock) crank() int {
	progress := 0
	// 1. I/O handlers: at most 99 (no handler moves time).
	for n := 1; n < 100 && c.io > 0; n++ {
		c.io--
		progress++
	}
	// 2. Actions: at most 99; what they post waits for step 4.
	for n := 1; n < 100 && len(c.actions) > 0; n++ {
		a := c.actions[0]
		c.actions = c.actions[1:]
		a()
		progress++
	}
	// 3. Timers, only when idle: jump to the earliest event, pop what is
	// due, then fire those not cancelled, in pop order.
	if progress == 0 && len(c.pending) == 0 && len(c.events) > 0 {
		c.now = max(c.now, c.events[0].when)
		var due []*event
		for len(c.events) > 0 && c.events[0].when <= c.now {
			due = append(due, c.events.pop())
		}
		for _, e := range due {
			if !e.triggered {
				e.triggered = true
				cb := e.cb
				e.cb = nil
				cb(false)
			}
		}
		progress += len(due)
	}
	// 4. Transfer.
	progress += len(c.pending)
	c.actions = append(c.actions, c.pending...)
	c.pending = nil
	return progress
}

// timer is VirtualTimer.
type timer struct {
	c         *clock
	expiry    time.Duration
	events    []*event
	cancelled bool
}

func newTimer(c *clock) *timer { return &timer{c: c, expiry: c.now} }

func (t *timer) expiresFromNow(d time.Duration) {
	t.cancel()
	t.expiry = t.c.now + d
	t.cancelled = false
}

func (t *timer) asyncWait(onSuccess func(), onFailure func()) {
	if t.cancelled {
		return
	}
	e := &event{when: t.expiry, seq: len(t.events), cb: func(abortedOp bool) {
		if abortedOp {
			onFailure()
		} else {
			onSuccess()
		}
	}}
	t.c.events.push(e)
	t.events = append(t.events, e)
}

func (t *timer) cancel() {
	if t.cancelled {
		return
	}
	t.cancelled = true
	for _, e := range t.events {
		if !e.triggered {
			e.triggered = true
			cb := e.cb
			e.cb = nil
			cb(true)
		}
	}
	t.c.flushCancelledEvents()
	t.events = nil
}

// ---------------------------------------------------------------------------
// The works.

// Counts are what the tests compare for each work.
type Counts struct {
	// Runs counts the cranks that called onRun of a leaf. The onRun of the
	// other kinds is final (C++ final, and Init refuses an override in
	// Go), so the tests cannot wrap it: they compare transitions and states
	// after every crank instead.
	Runs int
	// Successes, Failures and RetryHooks count onSuccess, onFailureRaise and
	// onFailureRetry.
	Successes, Failures, RetryHooks int
	// Aborts counts onAbort of leaves.
	Aborts int
	// Checks counts the evaluations of a Cond's condition.
	Checks int
}

const end = -1 // the end position of a children list

const kindScheduler Kind = -1

type work struct {
	m          *Model
	sp         *Spec
	name       string
	kind       Kind
	st         state
	retries    int
	maxRetries int
	notify     func()
	retryTimer *timer
	waitTimer  *timer
	cnt        Counts

	// Work (Tree, Batch, the scheduler).
	children     []*work
	next         int
	doneChildren int
	total        int
	abortKids    bool // mAbortChildrenButNotSelf
	added        bool // Tree: the children were added in this run
	kids         []*work
	iter         int     // Batch: the next of kids to yield
	batch        []*work // Batch: mBatch, sorted by name
	scheduled    bool    // the scheduler: mScheduled

	// Seq.
	seq     []*work
	seqNext int
	current *work
	stop    bool

	// Cond.
	cond        func() bool
	conditioned *work
	sleep       time.Duration
	started     bool

	// Leaf.
	count, finals, abortLeft int
}

// Model is the reference model of one test case.
type Model struct {
	c     clock
	cs    *Case
	nodes []*work
	ws    *work
	log   []string
}

// New builds the model of a case: its works, not started, and the
// WorkScheduler, created as WorkScheduler::create does.
func New(cs *Case) *Model {
	m := &Model{cs: cs}
	m.nodes = make([]*work, len(cs.Nodes))
	for i, sp := range cs.Nodes {
		m.nodes[i] = &work{m: m, sp: sp, name: sp.Name, kind: sp.Kind, maxRetries: sp.Retries, next: end}
	}
	for i, sp := range cs.Nodes {
		w := m.nodes[i]
		var kids []*work
		for _, k := range sp.Children {
			kids = append(kids, m.nodes[k])
		}
		switch sp.Kind {
		case Leaf:
			w.count = sp.Steps
			w.abortLeft = sp.AbortSteps
		case Tree, Batch:
			w.kids = kids
		case Seq:
			w.seq = kids
			w.stop = sp.StopAtFirstFailure
		case Cond:
			w.maxRetries = 0
			w.conditioned = kids[0]
			w.sleep = sp.Sleep
			w.cond = m.condition(w, sp)
		}
	}
	m.ws = &work{m: m, name: "work-scheduler", kind: kindScheduler, next: end}
	m.ws.startWork(nil)
	m.ws.crankWork()
	return m
}

func (m *Model) condition(w *work, sp *Spec) func() bool {
	return func() bool {
		w.cnt.Checks++
		switch sp.CondKind {
		case SiblingSucceeded:
			return m.nodes[sp.Sibling].st.public() == pSuccess
		case SiblingDone:
			return m.nodes[sp.Sibling].st.done()
		}
		return w.cnt.Checks > sp.Checks
	}
}

// ---------------------------------------------------------------------------
// BasicWork.

func (w *work) setState(st state) {
	if st == failed && w.retries < w.maxRetries {
		st = retrying
	}
	if !allowedTransitions[[2]state{w.st, st}] {
		panic(&Assert{Transition: true, Msg: fmt.Sprintf("BasicWork error: illegal state transition %s -> %s", w.st, st)})
	}
	if w.st == pending && st == running {
		w.reset()
		w.retries = 0
	}
	switch st {
	case succeeded:
		w.cnt.Successes++
	case failed:
		w.cnt.Failures++
		w.reset()
	case retrying:
		w.cnt.RetryHooks++
		w.reset()
	case aborted:
		w.reset()
	}
	if w.st != st {
		w.m.log = append(w.m.log, w.name+": "+w.st.String()+" -> "+st.String())
		w.st = st
	}
	if w.st == retrying {
		w.waitForRetry()
	}
}

func (w *work) reset() {
	if w.retryTimer != nil {
		t := w.retryTimer
		t.cancel()
		w.retryTimer = nil
	}
	w.onReset()
}

func (w *work) resetWaitingTimer() {
	if w.waitTimer != nil {
		w.waitTimer.cancel()
		w.waitTimer = nil
	}
}

// backoff is exponentialBackoff with the case's jitter.
func (m *Model) backoff(n int) time.Duration {
	upper := uint64(1) << min(9, n)
	lower := upper/2 + 1
	if upper < 2 {
		lower = 1
	}
	return time.Duration(m.cs.Jitter.Pick(lower, upper)) * time.Second
}

func (w *work) waitForRetry() {
	if w.retryTimer != nil {
		assertf("Retry timer for %s already exists!", w.name)
	}
	t := newTimer(&w.m.c)
	w.retryTimer = t
	t.expiresFromNow(w.m.backoff(w.retries))
	w.setState(waiting)
	cb := func() {
		if w.st != waiting && w.st != aborted && w.st != aborting {
			assertf("retry timer of %s fired in state %s", w.name, w.st)
		}
		if w.st == waiting {
			w.retries++
			if rt := w.retryTimer; rt != nil {
				w.retryTimer = nil
				rt.cancel()
			}
			w.wakeUp(nil)
		}
	}
	t.asyncWait(cb, cb)
}

func (w *work) startWork(notify func()) {
	if w.st != pending {
		w.setState(pending)
	}
	w.notify = notify
	w.setState(running)
	if w.retries != 0 {
		assertf("%s started with retries", w.name)
	}
}

func (w *work) crankWork() {
	if w.st.done() || w.st == waiting {
		assertf("cannot crank %s in state %s", w.name, w.st)
	}
	var next state
	if w.st == aborting {
		next = aborting
		if w.onAbort() {
			next = aborted
		}
	} else {
		next = internalOf(w.onRun())
	}
	w.setState(next)
}

func (w *work) baseShutdown() {
	if !w.st.done() {
		w.resetWaitingTimer()
		w.setState(aborting)
	}
}

func (w *work) wakeUp(inner func()) {
	if w.st != waiting {
		return
	}
	w.setState(running)
	w.resetWaitingTimer()
	if inner != nil {
		inner()
	}
	if w.notify != nil {
		w.notify()
	}
}

func (w *work) wakeSelfUpCallback(inner func()) func() {
	return func() { w.wakeUp(inner) }
}

func (w *work) setupWaitingCallback(d time.Duration) {
	if w.st != running {
		assertf("%s sets up a waiting callback in state %s", w.name, w.st)
	}
	if w.waitTimer != nil {
		return
	}
	w.waitTimer = newTimer(&w.m.c)
	w.waitTimer.expiresFromNow(d)
	w.waitTimer.asyncWait(w.wakeSelfUpCallback(nil), func() {})
}

// ---------------------------------------------------------------------------
// The virtual methods, by kind.

func (w *work) onRun() pub {
	switch w.kind {
	case Leaf:
		return w.leafRun()
	case Seq:
		return w.seqRun()
	case Cond:
		return w.condRun()
	}
	return w.workRun()
}

func (w *work) onAbort() bool {
	switch w.kind {
	case Leaf:
		w.cnt.Aborts++
		if w.abortLeft > 0 {
			w.abortLeft--
			return false
		}
		return true
	case Seq:
		if w.current != nil && !w.current.st.done() {
			w.current.crankWork()
			return false
		}
		return true
	case Cond:
		if w.started && !w.conditioned.st.done() {
			w.conditioned.crankWork()
			return false
		}
		return true
	}
	return w.workAbort()
}

func (w *work) onReset() {
	switch w.kind {
	case Leaf:
		w.count = w.sp.Steps
		w.abortLeft = w.sp.AbortSteps
	case Seq:
		for _, x := range w.seq[:w.seqNext] {
			if !x.st.done() {
				assertf("WorkSequence %s reset while %s is not done", w.name, x.name)
			}
		}
		w.seqNext = 0
		w.current = nil
	case Cond:
		w.started = false
	default:
		w.clearChildren()
		w.abortKids = false
		switch w.kind {
		case Tree:
			w.added = false
		case Batch:
			w.batch = nil
			w.iter = 0
		}
	}
}

func (w *work) shutdown() {
	switch w.kind {
	case Seq:
		if w.current != nil {
			w.current.shutdown()
		}
	case Cond:
		if w.started {
			w.conditioned.shutdown()
		}
	case Tree, Batch:
		w.shutdownChildren()
	case kindScheduler:
		if w.st.done() {
			return
		}
		w.shutdownChildren()
		w.baseShutdown()
		w.scheduleOne()
		return
	}
	w.baseShutdown()
}

// ---------------------------------------------------------------------------
// Leaf.

func (w *work) leafRun() pub {
	w.cnt.Runs++
	w.count--
	if w.count > 0 {
		switch wt := w.sp.Waits[w.sp.Steps-w.count-1]; wt.Kind {
		case TimerWait:
			w.setupWaitingCallback(wt.D)
			return pWaiting
		case ForeverWait:
			return pWaiting
		}
		return pRunning
	}
	w.finals++
	if w.sp.FailFirst < 0 || w.finals <= w.sp.FailFirst {
		return pFailure
	}
	return pSuccess
}

// ---------------------------------------------------------------------------
// Work.

func (w *work) workRun() pub {
	if w.abortKids {
		if w.workAbort() {
			return pFailure
		}
		return pRunning
	}
	if c := w.yieldNextRunningChild(); c != nil {
		c.crankWork()
		return pRunning
	}
	st := w.doWork()
	if st == pSuccess {
		if !w.allChildrenSuccessful() {
			assertf("Work %s succeeded while a child has not", w.name)
		}
		w.clearChildren()
	} else if st == pFailure && !w.allChildrenDone() {
		w.shutdownChildren()
		w.abortKids = true
		return pRunning
	}
	return st
}

func (w *work) workAbort() bool {
	if c := w.yieldNextRunningChild(); c != nil {
		if c.st != aborting {
			assertf("Work %s is aborting but its child %s is not", w.name, c.name)
		}
		c.crankWork()
		return false
	}
	return w.allChildrenDone()
}

func (w *work) doWork() pub {
	switch w.kind {
	case Tree:
		if !w.added {
			for _, k := range w.kids {
				if !w.addWork(nil, k) {
					assertf("Tree %s cannot add %s", w.name, k.name)
				}
			}
			w.added = true
			return pRunning
		}
		return w.checkChildrenStatus()
	case Batch:
		return w.batchDoWork()
	}
	// The scheduler.
	if w.anyChildRunning() {
		return pRunning
	}
	return pWaiting
}

// addWork is Work::addWork(cb, child), behind addWorkWithCallback's
// aborting check; false when the work is aborting.
func (w *work) addWork(cb func(), child *work) bool {
	if w.st == aborting {
		return false
	}
	w.addChild(child)
	wake := w.wakeSelfUpCallback(cb)
	child.startWork(wake)
	wake()
	return true
}

func (w *work) addChild(c *work) {
	resetIter := len(w.children) == 0
	w.children = append(w.children, c)
	w.total++
	if resetIter {
		w.next = 0
	}
}

func (w *work) clearChildren() {
	if !w.allChildrenDone() {
		assertf("Work %s drops its children while some are not done", w.name)
	}
	w.doneChildren += len(w.children)
	w.children = nil
	w.next = end
}

func (w *work) shutdownChildren() {
	for _, c := range w.children {
		if !c.st.done() {
			c.shutdown()
		}
	}
}

// yieldNextRunningChild walks the list from mNextChild, erasing done
// children, to the next one that reads RUNNING; at the end it rewinds to
// begin() (which is end() for an empty list).
func (w *work) yieldNextRunningChild() *work {
	for w.next != end {
		i := w.next
		w.next = i + 1
		if w.next == len(w.children) {
			w.next = end
		}
		c := w.children[i]
		if c.st.public() == pRunning {
			return c
		}
		if c.st.done() {
			w.children = append(w.children[:i], w.children[i+1:]...)
			w.doneChildren++
			w.next = i
			if i == len(w.children) {
				w.next = end
			}
		}
	}
	w.next = end
	if len(w.children) > 0 {
		w.next = 0
	}
	return nil
}

func (w *work) allChildrenSuccessful() bool {
	for _, c := range w.children {
		if c.st.public() != pSuccess {
			return false
		}
	}
	return true
}

func (w *work) allChildrenDone() bool {
	for _, c := range w.children {
		if !c.st.done() {
			return false
		}
	}
	return true
}

func (w *work) anyChildRaiseFailure() bool {
	for _, c := range w.children {
		if c.st.public() == pFailure {
			return true
		}
	}
	return false
}

func (w *work) anyChildRunning() bool {
	for _, c := range w.children {
		if c.st.public() == pRunning {
			return true
		}
	}
	return false
}

func (w *work) checkChildrenStatus() pub { return workStatus(w.children) }

func workStatus(ws []*work) pub {
	all := true
	for _, c := range ws {
		if c.st.public() != pSuccess {
			all = false
		}
	}
	if all {
		return pSuccess
	}
	for _, c := range ws {
		if c.st.public() == pFailure {
			return pFailure
		}
	}
	for _, c := range ws {
		if c.st.public() == pRunning {
			return pRunning
		}
	}
	return pWaiting
}

// ---------------------------------------------------------------------------
// BatchWork.

func (w *work) batchDoWork() pub {
	if w.anyChildRaiseFailure() {
		return pFailure
	}
	kept := w.batch[:0]
	for _, c := range w.batch {
		if c.st.public() != pSuccess {
			kept = append(kept, c)
		}
	}
	clear(w.batch[len(kept):])
	w.batch = kept
	if w.st == aborting {
		assertf("%s is being aborted!", w.name)
	}
	for len(w.batch) < w.m.cs.Bandwidth && w.iter < len(w.kids) {
		c := w.kids[w.iter]
		w.iter++
		w.addWork(nil, c)
		i := sort.Search(len(w.batch), func(i int) bool { return w.batch[i].name >= c.name })
		if i < len(w.batch) && w.batch[i].name == c.name {
			assertf("BatchWork error: inserting duplicate work!")
		}
		w.batch = append(w.batch, nil)
		copy(w.batch[i+1:], w.batch[i:])
		w.batch[i] = c
	}
	if w.allChildrenSuccessful() {
		return pSuccess
	}
	if !w.anyChildRunning() {
		return pWaiting
	}
	return pRunning
}

// ---------------------------------------------------------------------------
// WorkSequence.

func (w *work) seqRun() pub {
	for {
		if w.seqNext == len(w.seq) {
			return workStatus(w.seq)
		}
		x := w.seq[w.seqNext]
		if w.current == nil {
			x.startWork(w.wakeSelfUpCallback(nil))
			w.current = x
		} else {
			st := x.st.public()
			if st == pSuccess || (st == pFailure && !w.stop) {
				w.current = nil
				w.seqNext++
				continue
			}
			if st != pRunning {
				return st
			}
		}
		x.crankWork()
		return pRunning
	}
}

// ---------------------------------------------------------------------------
// ConditionalWork.

func (w *work) condRun() pub {
	if !w.started {
		if w.cond != nil && !w.cond() {
			w.setupWaitingCallback(w.sleep)
			return pWaiting
		}
		w.conditioned.startWork(w.wakeSelfUpCallback(nil))
		w.started = true
		w.cond = nil
	} else if p := w.conditioned.st.public(); p != pRunning {
		// A deliberate difference from the C++, which asserts: a
		// conditioned work that is not running is reported, not cranked.
		return p
	}
	w.conditioned.crankWork()
	return w.conditioned.st.public()
}

// ---------------------------------------------------------------------------
// The WorkScheduler.

func (w *work) scheduleOne() {
	if w.scheduled {
		return
	}
	w.scheduled = true
	w.m.c.post(func() {
		w.crankWork()
		w.scheduled = false
		if w.st.public() == pRunning {
			w.scheduleOne()
		}
	})
}

// ---------------------------------------------------------------------------
// The driver.

// Crank runs one crank(false) and returns its progress.
func (m *Model) Crank() int { return m.c.crank() }

// TakeLog returns the transitions since the last call, each as
// "name: FROM -> TO".
func (m *Model) TakeLog() []string {
	l := m.log
	m.log = nil
	return l
}

// Schedule is scheduleWork(node); false when the scheduler refuses it.
func (m *Model) Schedule(node int) bool {
	ws := m.ws
	if ws.st == aborting || ws.st.done() {
		return false
	}
	return ws.addWork(ws.scheduleOne, m.nodes[node])
}

// Wake calls the node's wakeUp().
func (m *Model) Wake(node int) { m.nodes[node].wakeUp(nil) }

// AddChild is addWork on the Tree target; false when the target is
// aborting.
func (m *Model) AddChild(target, child int) bool { return m.nodes[target].addWork(nil, m.nodes[child]) }

// Shutdown shuts the WorkScheduler down.
func (m *Model) Shutdown() { m.ws.shutdown() }

// ShutdownWork shuts a node down.
func (m *Model) ShutdownWork(node int) { m.nodes[node].shutdown() }

// Advance is sleep_for(d).
func (m *Model) Advance(d time.Duration) { m.c.now += d }

// Now returns the virtual time.
func (m *Model) Now() time.Duration { return m.c.now }

// Next returns the earliest queued event, cancelled ones included, and
// false when the queue is empty.
func (m *Model) Next() (time.Duration, bool) {
	if len(m.c.events) == 0 {
		return 0, false
	}
	return m.c.events[0].when, true
}

// PendingTimers counts the queued events neither fired nor cancelled.
func (m *Model) PendingTimers() int {
	n := 0
	for _, e := range m.c.events {
		if !e.triggered {
			n++
		}
	}
	return n
}

// ActionsQueued counts the posted actions not yet run.
func (m *Model) ActionsQueued() int { return len(m.c.pending) + len(m.c.actions) }

// State returns the node's internal state, as "WORK_RUNNING".
func (m *Model) State(node int) string { return m.nodes[node].st.String() }

// SchedulerState returns the WorkScheduler's internal state.
func (m *Model) SchedulerState() string { return m.ws.st.String() }

// Counts returns the node's counts.
func (m *Model) Counts(node int) Counts { return m.nodes[node].cnt }

// DoneChildren returns the done-children count of a Tree or Batch node,
// or of the scheduler for node -1.
func (m *Model) DoneChildren(node int) int {
	if node < 0 {
		return m.ws.doneChildren
	}
	return m.nodes[node].doneChildren
}

// WakeIsSafe reports whether waking the node up now is a wake-up taken
// without an assertion later: not of a work waiting for a retry (its retry
// timer would fire into a running work). (A Cond whose started work waits
// was one in the C++; it now reports the work's state instead.)
func (m *Model) WakeIsSafe(node int) bool { return m.nodes[node].retryTimer == nil }

// AddIsSafe reports whether adding a child to the Tree node now is sound:
// the node runs (or is aborting, when addWork refuses), is not waiting for
// a retry (addWork wakes it up, as a wake-up from outside would), and is
// not aborting its children before failing (its next crank would find a
// running child among aborting ones).
func (m *Model) AddIsSafe(node int) bool {
	w := m.nodes[node]
	if w.kind != Tree || w.retryTimer != nil {
		return false
	}
	switch w.st {
	case running, waiting:
		return !w.abortKids
	case aborting:
		return true
	}
	return false
}

// ShutdownIsSafe reports whether shutting the node down from outside leaves
// it where the tree can finish it: it has been started.
func (m *Model) ShutdownIsSafe(node int) bool { return m.nodes[node].st != pending }

// Done reports whether the node is done.
func (m *Model) Done(node int) bool { return m.nodes[node].st.done() }

// Running reports whether the node is started and not done.
func (m *Model) Running(node int) bool {
	st := m.nodes[node].st
	return st != pending && !st.done()
}
