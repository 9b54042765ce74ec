/*
 * user.c - user-prompt axis operators: how the request is phrased
 * (typos, misspellings, casing, whitespace, order, distractors, split
 * messages, tone, authored paraphrases) and the directional
 * missing_detail (HELM and PromptBench in PERTURBATION-LITERATURE.md).
 *
 * Solvability: character-level noise never touches a protected token --
 * anything the task's answer depends on. A word is protected when it
 * appears as a word in a value of the oracle's call arguments or of the
 * graders (tickers, dates, file names, search terms), when it contains a
 * digit or one of "/._@", when it has two capitals or more (BOLT's), and
 * inside `backticks` and "double quotes" (commands, literal values).
 */
#include "perturb/perturb.h"

#include <ctype.h>

#include "core/buf.h"
#include "core/common.h"

#define MISREAD "I am not sure what you are asking."

static void set_user1(jolt_variant *v, char *s)
{
	json_decref(v->user);
	v->user = json_pack("[s]", s);
	free(s);
}

static const char *user0(const jolt_variant *v)
{
	return json_string_value(json_array_get(v->user, 0));
}

/* A thrown model misreads the request instead of following it. */
static void mistake_misread(jolt_variant *v)
{
	jolt_variant_mistake(v, 0, json_pack("[{s:s}]", "answer", MISREAD));
}

/* ---- protection ----------------------------------------------------------- */

static void collect_values(json_t *out, const json_t *j)
{
	if (json_is_string(j)) {
		json_array_append(out, (json_t *)j);
	} else if (json_is_number(j)) {
		char *s = json_dumps(j, JSON_ENCODE_ANY);
		if (s)
			json_array_append_new(out, json_string(s));
		free(s);
	} else if (json_is_array(j)) {
		size_t i;
		json_t *x;
		json_array_foreach(j, i, x)
		{
			collect_values(out, x);
		}
	} else if (json_is_object(j)) {
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)j, k, x)
		{
			collect_values(out, x);
		}
	}
}

/* Every string the answer depends on: oracle call arguments and grader
 * values (answer patterns, file paths, call arguments). */
static json_t *protected_values(const jolt_variant *v)
{
	json_t *out = json_array();
	size_t i;
	json_t *step;
	json_array_foreach(v->oracle, i, step)
	{
		collect_values(out, json_object_get(json_object_get(step, "call"),
						    "args"));
	}
	json_t *g;
	json_array_foreach(v->grade, i, g)
	{
		collect_values(out, json_object_get(g, "answer"));
		collect_values(out, json_object_get(json_object_get(g, "file"),
						    "path"));
		collect_values(out, json_object_get(g, "calls"));
	}
	return out;
}

static bool word_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_';
}

/* Does `w` (n bytes) occur in `hay` as a whole word, ignoring case? */
static bool has_word(const char *hay, const char *w, size_t n)
{
	if (!n)
		return false;
	size_t hn = strlen(hay);
	for (size_t i = 0; i + n <= hn; i++) {
		if (strncasecmp(hay + i, w, n))
			continue;
		if ((i == 0 || !word_char(hay[i - 1])) &&
		    (i + n == hn || !word_char(hay[i + n])))
			return true;
	}
	return false;
}

/* A prompt with a per-byte protection mask. */
struct text {
	char *s;
	size_t n;
	bool *prot;   /* never altered */
	bool *quoted; /* inside `backticks` or "quotes" */
};

static void text_init(struct text *t, const char *s, const jolt_variant *v)
{
	t->s = jolt_xstrdup(s);
	t->n = strlen(s);
	t->prot = jolt_xcalloc(t->n + 1, sizeof(*t->prot));
	t->quoted = jolt_xcalloc(t->n + 1, sizeof(*t->quoted));
	/* Quoted and backticked spans. */
	for (size_t i = 0; i < t->n; i++) {
		if (t->s[i] != '`' && t->s[i] != '"')
			continue;
		const char *close = strchr(t->s + i + 1, t->s[i]);
		size_t end = close ? (size_t)(close - t->s) : t->n - 1;
		for (size_t k = i; k <= end; k++)
			t->prot[k] = t->quoted[k] = true;
		i = end;
	}
	json_t *vals = protected_values(v);
	for (size_t i = 0; i < t->n;) {
		if (isspace((unsigned char)t->s[i])) {
			i++;
			continue;
		}
		size_t ws = i;
		while (i < t->n && !isspace((unsigned char)t->s[i]))
			i++;
		/* The word's core, without surrounding punctuation. */
		size_t a = ws, b = i;
		while (a < b && strchr("([{'\"`", t->s[a]))
			a++;
		while (b > a && strchr(".,;:?!)]}'\"`", t->s[b - 1]))
			b--;
		size_t n = b - a, upper = 0;
		bool prot = false;
		for (size_t k = a; k < b; k++) {
			char ch = t->s[k];
			upper += isupper((unsigned char)ch) != 0;
			if (isdigit((unsigned char)ch) || strchr("/._@", ch))
				prot = true;
		}
		prot = prot || upper >= 2;
		/* "Bo's" is protected when "Bo" is a value. */
		size_t stem = n;
		if (n > 2 && t->s[b - 2] == '\'' && t->s[b - 1] == 's')
			stem = n - 2;
		size_t vi;
		json_t *val;
		json_array_foreach(vals, vi, val)
		{
			if (prot)
				break;
			const char *vs = json_string_value(val);
			prot = has_word(vs, t->s + a, n) ||
			       has_word(vs, t->s + a, stem);
		}
		if (prot)
			for (size_t k = ws; k < i; k++)
				t->prot[k] = true;
	}
	json_decref(vals);
}

static void text_release(struct text *t)
{
	free(t->s);
	free(t->prot);
	free(t->quoted);
}

/* ---- typos ---------------------------------------------------------------- */

static const char *const qwerty[26] = {
	/* a */ "qwsz", /* b */ "vghn", /* c */ "xdfv", /* d */ "serfcx",
	/* e */ "wsdr", /* f */ "drtgvc", /* g */ "ftyhbv", /* h */ "gyujnb",
	/* i */ "ujko", /* j */ "huikmn", /* k */ "jiolm", /* l */ "kop",
	/* m */ "njk", /* n */ "bhjm", /* o */ "iklp", /* p */ "ol",
	/* q */ "wa", /* r */ "edft", /* s */ "awedxz", /* t */ "rfgy",
	/* u */ "yhji", /* v */ "cfgb", /* w */ "qase", /* x */ "zsdc",
	/* y */ "tghu", /* z */ "asx",
};

static char neighbour(char ch, double r)
{
	int lower = tolower((unsigned char)ch);
	const char *nb = qwerty[lower - 'a'];
	size_t k = (size_t)(r * (double)strlen(nb));
	char out = nb[k < strlen(nb) ? k : 0];
	return isupper((unsigned char)ch) ? (char)toupper((unsigned char)out)
					  : out;
}

static int user_typo_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	static const double rate[] = {0.1, 0.3, 0.5}; /* HELM */
	struct text t;
	text_init(&t, user0(v), v);
	size_t eligible = 0, changed = 0, first = 0;
	for (size_t i = 0; i < t.n; i++) {
		if (t.prot[i] || !isalpha((unsigned char)t.s[i]) ||
		    (unsigned char)t.s[i] >= 0x80)
			continue;
		if (!eligible++)
			first = i;
		if (jolt_op_rand(c, "user_typo.hit", i) < rate[c->level - 1]) {
			t.s[i] = neighbour(t.s[i],
					   jolt_op_rand(c, "user_typo.key", i));
			changed++;
		}
	}
	int rc = 0;
	if (!eligible) {
		rc = jolt_err_set(JOLT_ENOTFOUND,
				  "task %s has no unprotected letter to mistype",
				  c->task->id);
		goto done;
	}
	if (!changed) { /* a short prompt that drew no typo still gets one */
		size_t target = (size_t)(jolt_op_rand(c, "user_typo.force", 0) *
					 (double)eligible);
		for (size_t i = first, k = 0; i < t.n; i++) {
			if (t.prot[i] || !isalpha((unsigned char)t.s[i]))
				continue;
			if (k++ == target) {
				t.s[i] = neighbour(t.s[i],
						   jolt_op_rand(c, "user_typo.key",
								i));
				break;
			}
		}
		changed = 1;
	}
	set_user1(v, jolt_xstrdup(t.s));
	mistake_misread(v);
	jolt_variant_summary(v, "%zu keyboard typo%s (rate %.1f)", changed,
				      changed == 1 ? "" : "s",
				      rate[c->level - 1]);
done:
	text_release(&t);
	return rc;
}

/* ---- misspellings ----------------------------------------------------------- */

static const struct {
	const char *word, *wrong;
} misspellings[] = {
	{"the", "teh"},           {"what", "waht"},
	{"which", "wich"},        {"was", "wass"},
	{"year", "yeer"},         {"closing", "closeing"},
	{"price", "prise"},       {"town", "toun"},
	{"engineer", "enginere"}, {"designed", "desinged"},
	{"born", "borne"},        {"percentage", "percentege"},
	{"change", "chnage"},     {"from", "form"},
	{"give", "giv"},          {"with", "whith"},
	{"decimals", "decimels"}, {"market", "markit"},
	{"capitalization", "capitalisaton"},
	{"close", "colse"},       {"shares", "shairs"},
	{"outstanding", "outstandng"},
	{"result", "resault"},    {"millions", "milions"},
	{"dollars", "dolars"},    {"find", "fnid"},
	{"bug", "bugg"},          {"fix", "fixx"},
	{"tests", "tets"},        {"pass", "pas"},
	{"instead", "insted"},    {"should", "shoud"},
	{"conversion", "convertion"},
	{"wrong", "wrnog"},       {"create", "craete"},
	{"configuration", "configuraton"},
	{"service", "servise"},   {"must", "mustt"},
	{"object", "objcet"},     {"these", "thees"},
	{"fields", "feilds"},     {"agreed", "agred"},
	{"meeting", "meating"},   {"notes", "notess"},
	{"list", "lsit"},         {"collect", "colect"},
	{"action", "acton"},      {"items", "itmes"},
	{"every", "evry"},        {"line", "lien"},
	{"starts", "strats"},     {"write", "wirte"},
	{"without", "whitout"},   {"order", "oder"},
	{"their", "thier"},       {"then", "than"},
	{"there", "their"},       {"sorted", "sortted"},
	{"first", "frist"},       {"leading", "leadng"},
	{"modify", "modifiy"},    {"another", "anather"},
	{"reassign", "reasign"},  {"owned", "ownd"},
	{"nothing", "nothign"},   {"else", "esle"},
	{"stays", "staies"},      {"city", "citty"},
	{"former", "formar"},     {"founded", "foundet"},
	{"begin", "beginn"},      {"office", "ofice"},
	{"survived", "survivied"}, {"arches", "arcehs"},
	{"does", "dose"},         {"have", "hav"},
	{"because", "becuase"},   {"separate", "seperate"},
	{"receive", "recieve"},   {"until", "untill"},
	{"file", "fiel"},         {"many", "meny"},
	{"adds", "addes"},        {"numbers", "numbres"},
	{"prints", "prnits"},     {"loses", "looses"},
	{"digits", "digtis"},     {"script", "scirpt"},
	{"completed", "compleated"},
	{"library", "libary"},    {"mayor", "mayer"},
	{"first", "firts"},       {"term", "terme"},
	{"hall", "hal"},          {"bridge", "brige"},
};

static const char *misspelled(const char *w, size_t n)
{
	for (size_t k = 0; k < JOLT_ARRAY_LEN(misspellings); k++)
		if (strlen(misspellings[k].word) == n &&
		    !strncasecmp(misspellings[k].word, w, n))
			return misspellings[k].wrong;
	return NULL;
}

static int user_misspell_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	static const double rate[] = {0.05, 0.2, 0.5}; /* HELM */
	struct text t;
	text_init(&t, user0(v), v);
	/* Two passes: count candidates, then rewrite (forcing one when the
	 * draw hit none). */
	size_t cand = 0, hits = 0;
	for (int pass = 0; pass < 3; pass++) {
		jolt_buf b = JOLT_BUF_INIT;
		jolt_buf_init(&b, 0);
		size_t k = 0, force = pass == 2
					      ? jolt_op_pick(c, "user_misspell.force", 0,
						     cand)
					      : (size_t)-1;
		for (size_t i = 0; i < t.n;) {
			if (!isalpha((unsigned char)t.s[i]) || t.prot[i]) {
				jolt_buf_addc(&b, t.s[i++]);
				continue;
			}
			size_t ws = i;
			while (i < t.n && isalpha((unsigned char)t.s[i]) &&
			       !t.prot[i])
				i++;
			const char *wrong = (ws == 0 || !isalnum((unsigned char)t.s[ws - 1])) &&
						    (i == t.n || !isalnum((unsigned char)t.s[i]))
					    ? misspelled(t.s + ws, i - ws)
					    : NULL;
			bool use = false;
			if (wrong) {
				use = pass == 2 ? k == force
						: jolt_op_rand(c, "user_misspell.hit",
							       k) <
							  rate[c->level - 1];
				k++;
			}
			if (use && pass) {
				/* Keep an initial capital. */
				jolt_buf_addc(&b, isupper((unsigned char)t.s[ws])
							  ? (char)toupper((unsigned char)wrong[0])
							  : wrong[0]);
				jolt_buf_adds(&b, wrong + 1);
				hits++;
			} else {
				jolt_buf_add(&b, t.s + ws, i - ws);
			}
		}
		if (pass == 0) {
			cand = k;
			jolt_buf_release(&b);
			if (!cand)
				break;
			continue;
		}
		if (pass == 1 && !hits) {
			jolt_buf_release(&b);
			continue;
		}
		set_user1(v, jolt_buf_detach(&b));
		break;
	}
	text_release(&t);
	if (!cand)
		return jolt_err_set(JOLT_ENOTFOUND,
				    "task %s has no word with a known "
				    "misspelling",
				    c->task->id);
	mistake_misread(v);
	jolt_variant_summary(v, "%zu common misspelling%s (rate %.2f)",
				      hits, hits == 1 ? "" : "s",
				      rate[c->level - 1]);
	return 0;
}

/* ---- casing ----------------------------------------------------------------- */

static int user_case_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	struct text t;
	text_init(&t, user0(v), v);
	size_t changed = 0;
	for (size_t i = 0; i < t.n; i++) {
		if (t.prot[i] || !isalpha((unsigned char)t.s[i]))
			continue;
		char ch = t.s[i], to = ch;
		if (c->level == 1)
			to = (char)tolower((unsigned char)ch);
		else if (c->level == 2)
			to = (char)toupper((unsigned char)ch);
		else
			to = jolt_op_rand(c, "user_case.up", i) < 0.5
				     ? (char)toupper((unsigned char)ch)
				     : (char)tolower((unsigned char)ch);
		changed += to != ch;
		t.s[i] = to;
	}
	int rc = 0;
	if (!changed)
		rc = jolt_err_set(JOLT_ENOTFOUND,
				  "no unprotected letter of task %s changes case",
				  c->task->id);
	else
		set_user1(v, jolt_xstrdup(t.s));
	text_release(&t);
	if (rc)
		return rc;
	static const char *const what[] = {"user prompt lowercased",
					   "user prompt uppercased",
					   "user prompt in random case"};
	jolt_variant_summary(v, "%s (%zu letters, protected tokens kept)",
				      what[c->level - 1], changed);
	return 0;
}

/* ---- whitespace ---------------------------------------------------------------- */

static int user_whitespace_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	static const double rate[] = {0.3, 0.6, 0.6};
	struct text t;
	text_init(&t, user0(v), v);
	size_t spaces = 0, hits = 0;
	for (size_t i = 0; i < t.n; i++)
		if (t.s[i] == ' ' && !t.prot[i])
			hits += jolt_op_rand(c, "user_whitespace.hit", spaces++) <
				rate[c->level - 1];
	if (!spaces) {
		text_release(&t);
		return jolt_err_set(JOLT_ENOTFOUND,
				    "task %s has no unprotected space",
				    c->task->id);
	}
	/* A draw that hit nothing still changes one space. */
	size_t force = hits ? (size_t)-1
			    : jolt_op_pick(c, "user_whitespace.force", 0, spaces);
	jolt_buf b = JOLT_BUF_INIT;
	jolt_buf_init(&b, 0);
	if (c->level == 3)
		jolt_buf_adds(&b, "  ");
	size_t changed = 0, k = 0;
	for (size_t i = 0; i < t.n; i++) {
		jolt_buf_addc(&b, t.s[i]);
		if (t.s[i] != ' ' || t.prot[i])
			continue;
		size_t idx = k++;
		if (idx != force && jolt_op_rand(c, "user_whitespace.hit", idx) >=
					    rate[c->level - 1])
			continue;
		size_t extra =
			c->level == 1 ? 1 : 1 + jolt_op_pick(c, "user_whitespace.n", idx, 3);
		if (c->level == 3 &&
		    jolt_op_rand(c, "user_whitespace.nl", idx) < 0.2)
			b.s[b.len - 1] = '\n'; /* the space becomes a break */
		for (size_t e = 0; e < extra; e++)
			jolt_buf_addc(&b, ' ');
		changed++;
	}
	if (c->level == 3)
		jolt_buf_adds(&b, "\n\n");
	set_user1(v, jolt_buf_detach(&b));
	text_release(&t);
	jolt_variant_summary(v, "extra whitespace at %zu place%s%s",
				      changed, changed == 1 ? "" : "s",
				      c->level == 3 ? ", line breaks" : "");
	return 0;
}

/* ---- sentences ------------------------------------------------------------------ */

/* Sentences of the prompt (never split inside a protected span): ends
 * after '.', '!' or '?' followed by white space. Caller decrefs. */
static json_t *split_sentences(const struct text *t)
{
	json_t *out = json_array();
	size_t i = 0;
	while (i < t->n) {
		while (i < t->n && isspace((unsigned char)t->s[i]))
			i++;
		if (i >= t->n)
			break;
		size_t s = i;
		while (i < t->n) {
			char ch = t->s[i];
			i++;
			if ((ch == '.' || ch == '!' || ch == '?') &&
			    !t->quoted[i - 1] &&
			    (i == t->n || isspace((unsigned char)t->s[i])))
				break;
		}
		size_t e = i;
		while (e > s && isspace((unsigned char)t->s[e - 1]))
			e--;
		json_array_append_new(out, json_stringn(t->s + s, e - s));
	}
	return out;
}

static char *join(const json_t *parts, size_t from, size_t to)
{
	jolt_buf b = JOLT_BUF_INIT;
	jolt_buf_init(&b, 0);
	for (size_t i = from; i < to; i++)
		jolt_buf_addf(&b, "%s%s", i > from ? " " : "",
			      json_string_value(json_array_get(parts, i)));
	return jolt_buf_detach(&b);
}

static int user_reorder_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	struct text t;
	text_init(&t, user0(v), v);
	json_t *ss = split_sentences(&t);
	text_release(&t);
	size_t n = json_array_size(ss);
	if (n < 2) {
		json_decref(ss);
		return jolt_err_set(JOLT_ENOTFOUND,
				    "the prompt of task %s is one sentence",
				    c->task->id);
	}
	size_t *perm = jolt_xcalloc(n, sizeof(*perm));
	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	if (c->level == 1) {
		/* The last sentence (usually the format or a constraint)
		 * comes first. */
		for (size_t i = 0; i < n; i++)
			perm[i] = (i + n - 1) % n;
	} else if (c->level == 2) {
		for (size_t i = 0; i < n; i++)
			perm[i] = n - 1 - i;
	} else {
		jolt_op_shuffle(perm, n, c, "user_reorder.shuffle", 0,
				JOLT_SHUFFLE_ROTATE);
	}
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append(out, json_array_get(ss, perm[i]));
	set_user1(v, join(out, 0, n));
	json_decref(out);
	json_decref(ss);
	free(perm);
	static const char *const what[] = {"last sentence moved first",
					   "sentences reversed",
					   "sentences shuffled"};
	jolt_variant_summary(v, "%s", what[c->level - 1]);
	return 0;
}

/* ---- distractor sentences ---------------------------------------------------------- */

static const char *const chatter[] = {
	"By the way, the coffee machine on the second floor is fixed.",
	"Also, I am working from home today.",
	"Unrelated, but the team lunch moved to Thursday.",
	"My previous request about the printer is no longer needed.",
	"It has been a long week.",
	"I will be in meetings most of the afternoon.",
};

static int user_distractor_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	jolt_buf b = JOLT_BUF_INIT;
	jolt_buf_init(&b, 0);
	jolt_buf_adds(&b, user0(v));
	size_t start = jolt_op_pick(c, "user_distractor.start", 0,
			    JOLT_ARRAY_LEN(chatter));
	size_t n = c->level == 1 ? 1 : 2;
	for (size_t k = 0; k < n; k++)
		jolt_buf_addf(&b, " %s",
			      chatter[(start + k) % JOLT_ARRAY_LEN(chatter)]);
	if (c->level == 3) {
		/* CheckList: a random alphanumeric string; StressTest: a
		 * tautology. */
		static const char alnum[] =
			"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
		jolt_buf_adds(&b, " ");
		for (uint64_t k = 0; k < 10; k++)
			jolt_buf_addc(&b, alnum[jolt_op_pick(c, "user_distractor.rnd", k,
						     sizeof(alnum) - 1)]);
		jolt_buf_adds(&b, " and true is true");
	}
	set_user1(v, jolt_buf_detach(&b));
	jolt_variant_summary(v, "%zu distractor sentence%s appended%s", n,
				      n == 1 ? "" : "s",
				      c->level == 3 ? " plus noise" : "");
	return 0;
}

/* ---- two messages ------------------------------------------------------------------- */

static int user_split_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	struct text t;
	text_init(&t, user0(v), v);
	json_t *ss = split_sentences(&t);
	size_t n = json_array_size(ss);
	char *a = NULL, *b = NULL;
	if (c->level < 3 && n >= 2) {
		size_t at = c->level == 1 ? n - 1 : (n + 1) / 2;
		a = join(ss, 0, at);
		b = join(ss, at, n);
	} else {
		/* Mid-sentence, at an unprotected space in the middle half. */
		size_t nsp = 0;
		for (size_t i = t.n / 4; i < t.n - t.n / 4; i++)
			nsp += t.s[i] == ' ' && !t.prot[i];
		if (nsp) {
			size_t want = jolt_op_pick(c, "user_split.space", 0, nsp);
			for (size_t i = t.n / 4, k = 0; i < t.n - t.n / 4; i++) {
				if (t.s[i] != ' ' || t.prot[i] || k++ != want)
					continue;
				a = jolt_xstrndup(t.s, i);
				b = jolt_xstrdup(t.s + i + 1);
				break;
			}
		}
	}
	json_decref(ss);
	text_release(&t);
	if (!a)
		return jolt_err_set(JOLT_ENOTFOUND,
				    "the prompt of task %s cannot be split",
				    c->task->id);
	json_decref(v->user);
	v->user = json_pack("[s, s]", a, b);
	free(a);
	free(b);
	static const char *const what[] = {
		"last sentence sent as a second message",
		"prompt split in half over two messages",
		"prompt split mid-sentence over two messages",
	};
	jolt_variant_summary(v, "%s", what[c->level - 1]);
	return 0;
}

/* ---- tone ------------------------------------------------------------------------------ */

/* Drop politeness words ("please", "kindly") and their comma. */
static char *terse(const char *s)
{
	static const char *const drop[] = {"please ", "Please ", "kindly ",
					   "Kindly "};
	jolt_buf b = JOLT_BUF_INIT;
	jolt_buf_init(&b, 0);
	jolt_buf_adds(&b, "Task: ");
	for (const char *p = s; *p;) {
		bool hit = false;
		for (size_t k = 0; k < JOLT_ARRAY_LEN(drop); k++) {
			size_t n = strlen(drop[k]);
			if (!strncmp(p, drop[k], n) &&
			    (p == s || !isalpha((unsigned char)p[-1]))) {
				p += n;
				hit = true;
			}
		}
		if (!hit)
			jolt_buf_addc(&b, *p++);
	}
	return jolt_buf_detach(&b);
}

static int user_tone_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	static const char *const open[] = {
		"Hi! I hope you are doing well. Could you please help me with "
		"something?",
		"Good morning, and thank you in advance for your help.",
	};
	static const char *const close[] = {
		"Thank you so much, I really appreciate it!",
		"Many thanks, this helps me a lot.",
	};
	const char *u = user0(v);
	char *s;
	if (c->level == 1) {
		s = terse(u);
	} else if (c->level == 2) {
		s = jolt_xasprintf("%s %s %s",
				   open[jolt_op_pick(c, "user_tone.open", 0, 2)], u,
				   close[jolt_op_pick(c, "user_tone.close", 0, 2)]);
	} else {
		s = jolt_xasprintf(
			"Hello there! I am so sorry to bother you, I know you "
			"must be busy, and I really hate to ask, but I am "
			"stuck and my manager is waiting. %s %s If anything is "
			"unclear, I apologise in advance. %s",
			open[jolt_op_pick(c, "user_tone.open", 0, 2)], u,
			close[jolt_op_pick(c, "user_tone.close", 0, 2)]);
	}
	set_user1(v, s);
	static const char *const what[] = {"terse rewrite", "polite wrapper",
					   "effusive, apologetic wrapper"};
	jolt_variant_summary(v, "%s", what[c->level - 1]);
	return 0;
}

/* ---- authored paraphrases ------------------------------------------------------------- */

static int user_paraphrase_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	size_t n = json_array_size(c->task->paraphrases);
	if (!n)
		return jolt_err_set(JOLT_ENOTFOUND,
				    "task %s has no paraphrases", c->task->id);
	size_t k = jolt_op_pick(c, "paraphrase.which", 0, n);
	const char *p = json_string_value(json_array_get(c->task->paraphrases, k));
	if (!p)
		return jolt_err_set(JOLT_EINPUT,
				    "task %s: paraphrase %zu is not a string",
				    c->task->id, k);
	set_user1(v, jolt_xstrdup(p));
	jolt_variant_summary(v, "authored paraphrase %zu of %zu", k + 1,
				      n);
	return 0;
}

/* ---- directional: a needed detail is missing ------------------------------------------ */

/* Looks like a specific value a model could not guess: has a digit, a
 * capital, '/' or '.'. */
static bool specific(const char *s)
{
	for (; *s; s++)
		if (isdigit((unsigned char)*s) || isupper((unsigned char)*s) ||
		    *s == '/' || *s == '.')
			return true;
	return false;
}

/* Position of `w` in `s` as a whole token (neighbours not alphanumeric,
 * '/', '.' followed by a word character), or -1. */
static long find_token(const char *s, const char *w, size_t from)
{
	size_t n = strlen(w), sn = strlen(s);
	for (size_t i = from; n && i + n <= sn; i++) {
		if (strncmp(s + i, w, n))
			continue;
		char before = i ? s[i - 1] : ' ', after = s[i + n];
		bool ok = !word_char(before) && before != '/' && before != '-' &&
			  !word_char(after) && after != '/' && after != '-' &&
			  !(after == '.' && word_char(s[i + n + 1]));
		if (ok)
			return (long)i;
	}
	return -1;
}

static int missing_detail_apply(jolt_variant *v, const jolt_op_ctx *c)
{
	const char *u = user0(v);
	json_t *call = NULL;
	size_t i;
	json_t *step;
	json_array_foreach(v->oracle, i, step)
	{
		if ((call = json_object_get(step, "call")))
			break;
	}
	json_t *args = json_object_get(call, "args");
	json_t *cands = json_array(); /* [param, value] */
	const char *k;
	json_t *val;
	json_object_foreach(args, k, val)
	{
		const char *s = json_string_value(val);
		if (s && strlen(s) >= 2 && specific(s) && find_token(u, s, 0) >= 0)
			json_array_append_new(cands, json_pack("[s, s]", k, s));
	}
	if (!json_array_size(cands)) {
		json_decref(cands);
		return jolt_err_set(JOLT_ENOTFOUND,
				    "no argument of the first call of task %s "
				    "appears in its prompt",
				    c->task->id);
	}
	json_t *cand = json_array_get(
		cands, jolt_op_pick(c, "missing_detail.which", 0, json_array_size(cands)));
	char *param = jolt_xstrdup(json_string_value(json_array_get(cand, 0)));
	char *value = jolt_xstrdup(json_string_value(json_array_get(cand, 1)));
	json_decref(cands);
	/* Human words for the parameter: "doc_id" -> "doc id". */
	for (char *p = param; *p; p++)
		if (*p == '_')
			*p = ' ';

	jolt_buf b = JOLT_BUF_INIT;
	jolt_buf_init(&b, 0);
	size_t pos = 0, vn = strlen(value);
	long at;
	while ((at = find_token(u, value, pos)) >= 0) {
		jolt_buf_add(&b, u + pos, (size_t)at - pos);
		pos = (size_t)at + vn;
		if (!strncmp(u + pos, "'s", 2)) {
			jolt_buf_adds(&b, "that one's");
			pos += 2;
		} else {
			jolt_buf_addf(&b, "the %s I mentioned earlier", param);
		}
	}
	jolt_buf_adds(&b, u + pos);
	set_user1(v, jolt_buf_detach(&b));

	json_t *base_oracle = v->oracle;
	char *ask = jolt_xasprintf("Which %s do you mean? Please tell me the %s.",
				   param, param);
	v->oracle = json_pack("[{s:s}]", "answer", ask);
	free(ask);
	json_decref(v->grade);
	v->grade = json_pack("[{s:b}, {s:{s:s}}]", "no_calls", 1, "answer",
			     "regex", "\\?");
	jolt_variant_mistake(v, 0, base_oracle);
	jolt_variant_summary(v, "the %s (%s) removed from the prompt",
				      param, value);
	free(param);
	free(value);
	return 0;
}

const jolt_op jolt_ops_user[] = {
	{"user_typo", JOLT_AXIS_user,
	 "QWERTY-neighbour typos at rate 0.1, 0.3, 0.5 (protected tokens kept)",
	 3, JOLT_OP_INVARIANT, NULL, user_typo_apply},
	{"user_misspell", JOLT_AXIS_user,
	 "common misspellings at rate 0.05, 0.2, 0.5", 3, JOLT_OP_INVARIANT,
	 NULL, user_misspell_apply},
	{"user_case", JOLT_AXIS_user,
	 "casing: lower, upper, random (protected tokens kept)", 3,
	 JOLT_OP_INVARIANT, NULL, user_case_apply},
	{"user_whitespace", JOLT_AXIS_user,
	 "extra spaces: some, up to 3, plus line breaks", 3, JOLT_OP_INVARIANT,
	 NULL, user_whitespace_apply},
	{"user_reorder", JOLT_AXIS_user,
	 "reorder sentences: last first, reversed, shuffled", 3,
	 JOLT_OP_INVARIANT, NULL, user_reorder_apply},
	{"user_distractor", JOLT_AXIS_user,
	 "append unrelated sentences (1, 2, 2 plus noise)", 3,
	 JOLT_OP_INVARIANT, NULL, user_distractor_apply},
	{"user_split", JOLT_AXIS_user,
	 "split the request over two user messages", 3, JOLT_OP_INVARIANT, NULL,
	 user_split_apply},
	{"user_tone", JOLT_AXIS_user,
	 "tone: terse, polite, effusive and apologetic", 3, JOLT_OP_INVARIANT,
	 NULL, user_tone_apply},
	{"paraphrase", JOLT_AXIS_user, "an authored paraphrase of the request",
	 1, JOLT_OP_INVARIANT, NULL, user_paraphrase_apply},
	{"missing_detail", JOLT_AXIS_user,
	 "remove a value the first call needs from the prompt", 1,
	 JOLT_OP_DIRECTIONAL,
	 "asks for the missing detail instead of guessing, and makes no call",
	 missing_detail_apply},
	{NULL, 0, NULL, 0, 0, NULL, NULL},
};
