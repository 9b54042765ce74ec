/*
 * grade_number.c - reading the numbers in a final answer for the `number`
 * grader: signs (ASCII and U+2212), decimals, thousands separators and
 * exponents are understood, and dates, times and numbers glued to words
 * (version strings, ids) are not taken for numbers. Decimals are read in
 * the C locale whatever the process's.
 */
#include <locale.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "world/grade.h"

#define GRADE_NUM_TOKEN 128

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_alnum(unsigned char c)
{
	return is_digit(c) || is_letter(c);
}

/* ---- numbers in free text --------------------------------------------- */

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
	/* glibc hands back its static C locale object: nothing to free. */
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* strtod that reads '.' as the decimal point whatever the process locale. */
static double strtod_c(const char *s)
{
	pthread_once(&c_locale_once, c_locale_init);
	if (c_locale)
		return strtod_l(s, NULL, c_locale);
	return strtod(s, NULL);
}

static size_t ndigits(const unsigned char *s)
{
	size_t n = 0;
	while (is_digit(s[n]))
		n++;
	return n;
}

/* Bytes of a sign at s: '+', '-', or U+2212 MINUS SIGN; 0 if none. */
static size_t sign_len(const unsigned char *s)
{
	if (s[0] == '+' || s[0] == '-')
		return 1;
	if (s[0] == 0xE2 && s[1] == 0x88 && s[2] == 0x92)
		return 3;
	return 0;
}

/* Length of a date or time starting at the digit s[0], or 0. Dates:
 * three or more digit groups joined by one repeated separator (2024-03-15,
 * 2024/03/15, 03/15/2024, 15.03.2024; versions and IP addresses go with
 * them), and year-month (2024-03). Times: H:MM or HH:MM[:SS[.fff]]. */
static size_t datetime_len(const unsigned char *s)
{
	size_t a = ndigits(s);
	unsigned char c = s[a];
	if (c == ':') {
		if (a > 2 || ndigits(s + a + 1) != 2)
			return 0;
		size_t q = a + 3;
		if (s[q] == ':' && ndigits(s + q + 1) == 2) {
			q += 3;
			if (s[q] == '.' && is_digit(s[q + 1]))
				q += 1 + ndigits(s + q + 1);
		}
		return q;
	}
	if (c != '-' && c != '/' && c != '.')
		return 0;
	size_t b = ndigits(s + a + 1);
	if (!b)
		return 0;
	size_t q = a + 1 + b;
	if (s[q] == c && is_digit(s[q + 1])) {
		while (s[q] == c && is_digit(s[q + 1]))
			q += 1 + ndigits(s + q + 1);
		return q;
	}
	if (c != '.' && a == 4 && b == 2) {
		int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 +
			   (s[2] - '0') * 10 + (s[3] - '0');
		int month = (s[a + 1] - '0') * 10 + (s[a + 2] - '0');
		if (year >= 1000 && year <= 2999 && month >= 1 && month <= 12)
			return q;
	}
	return 0;
}

/* Length of an identifier-like word starting at s: letters and digits,
 * and once it holds a digit also . , : / between them (v2.0, A1,
 * T12:30:00Z), skipped whole so that no number is read out of its middle.
 * A hyphen ends the word (COVID-19), and so does punctuation after plain
 * letters (total:5, apples,5). */
static size_t word_len(const unsigned char *s)
{
	size_t r = 0;
	bool digit = false;
	for (;;) {
		if (is_alnum(s[r])) {
			digit = digit || is_digit(s[r]);
			r++;
		} else if (digit &&
			   (s[r] == '.' || s[r] == ',' || s[r] == ':' ||
			    s[r] == '/') &&
			   is_alnum(s[r + 1])) {
			r++;
		} else {
			break;
		}
	}
	return r ? r : 1;
}

/* Try to read one number at s[i]. Returns true with *val when one was
 * read; *adv is always how far to move on (at least 1). */
static bool number_at(double *val, size_t *adv, const unsigned char *s,
		      size_t i)
{
	unsigned char prev = i ? s[i - 1] : 0;
	size_t p = i;
	bool neg = false;
	*adv = 1;

	size_t sl = sign_len(s + p);
	if (sl) {
		/* COVID-19, 5-3, x.-1: a hyphen, not a sign. */
		if (is_alnum(prev) || prev == '.')
			return false;
		neg = s[p] != '+';
		p += sl;
	}
	if (s[p] == '$') {
		p++;
		if (!sl && (sl = sign_len(s + p)) != 0) {
			neg = s[p] != '+';
			p += sl;
		}
	}
	unsigned char before = p == i ? prev : s[p - 1];
	bool lead_dot = s[p] == '.' && is_digit(s[p + 1]) &&
			!is_alnum(before) && before != '.' && before != ',';
	if (!is_digit(s[p]) && !lead_dot)
		return false;
	if (is_letter(before)) {
		/* v2, A1, Q3: part of a word, not a quantity. */
		*adv = p - i + word_len(s + p);
		return false;
	}
	if (!lead_dot) {
		size_t dt = datetime_len(s + p);
		if (dt) {
			*adv = p - i + dt;
			return false;
		}
	}

	char tok[GRADE_NUM_TOKEN + 8];
	size_t tn = 0;
	bool fits = true;
#define TOK_PUT(ch)                                                            \
	do {                                                                   \
		if (tn < GRADE_NUM_TOKEN)                                      \
			tok[tn++] = (char)(ch);                                \
		else                                                           \
			fits = false;                                          \
	} while (0)
	if (neg)
		TOK_PUT('-');
	size_t q = p;
	if (lead_dot) {
		TOK_PUT('0');
	} else {
		size_t n = ndigits(s + q);
		for (size_t k = 0; k < n; k++)
			TOK_PUT(s[q + k]);
		q += n;
		/* Thousands separators: groups of exactly three digits. */
		if (n <= 3) {
			while (s[q] == ',' && ndigits(s + q + 1) == 3) {
				for (size_t k = 1; k <= 3; k++)
					TOK_PUT(s[q + k]);
				q += 4;
			}
		}
	}
	/* A period not followed by a digit ends a sentence, not a number. */
	if (s[q] == '.' && is_digit(s[q + 1])) {
		size_t n = ndigits(s + q + 1);
		for (size_t k = 0; k <= n; k++)
			TOK_PUT(s[q + k]);
		q += 1 + n;
	}
	if (s[q] == 'e' || s[q] == 'E') {
		size_t r = q + 1;
		if (s[r] == '+' || s[r] == '-')
			r++;
		size_t n = ndigits(s + r);
		if (n && !is_letter(s[r + n])) {
			for (size_t k = q; k < r + n; k++)
				TOK_PUT(s[k]);
			q = r + n;
		}
	}
#undef TOK_PUT
	if (is_letter(s[q])) {
		/* 5km and 3rd keep their number; 3f2a9b is a hash, not 3. */
		size_t r = q;
		bool digit = false;
		while (is_alnum(s[r])) {
			digit = digit || is_digit(s[r]);
			r++;
		}
		if (digit) {
			*adv = r - i;
			return false;
		}
	}
	*adv = q - i;
	if (!fits)
		return false;
	tok[tn] = '\0';
	*val = strtod_c(tok);
	return true;
}

/* Iterate the numbers of a text: *pos starts at 0; false at the end. */
bool jolt_grade_number_next(double *out, const char *text, size_t *pos)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = *pos;
	while (s[i]) {
		unsigned char c = s[i];
		if (is_digit(c) || c == '+' || c == '-' || c == '$' ||
		    c == '.' || c == 0xE2) {
			size_t adv;
			bool got = number_at(out, &adv, s, i);
			i += adv;
			if (got) {
				*pos = i;
				return true;
			}
		} else if (is_letter(c)) {
			i += word_len(s + i);
		} else {
			i++;
		}
	}
	*pos = i;
	return false;
}

size_t jolt_grade_numbers(double *out, size_t max, const char *text)
{
	size_t n = 0, pos = 0;
	double v;
	if (!text || !out)
		return 0;
	while (n < max && jolt_grade_number_next(&v, text, &pos))
		out[n++] = v;
	return n;
}
