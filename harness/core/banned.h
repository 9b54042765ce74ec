/*
 * banned.h - functions jolt never calls. Including this after the system
 * headers turns any use into a compile error that names the safe form.
 */
#ifndef JOLT_BANNED_H
#define JOLT_BANNED_H

#define JOLT_BANNED(func) sorry_##func##_is_banned_use_the_bounded_form

#undef strcpy
#define strcpy(x, y) JOLT_BANNED(strcpy)
#undef strcat
#define strcat(x, y) JOLT_BANNED(strcat)
#undef sprintf
#define sprintf(...) JOLT_BANNED(sprintf)
#undef strtok
#define strtok(x, y) JOLT_BANNED(strtok)
#undef atoi
#define atoi(x) JOLT_BANNED(atoi)
#undef gets
#define gets(x) JOLT_BANNED(gets)
#undef localtime
#define localtime(x) JOLT_BANNED(localtime)
#undef gmtime
#define gmtime(x) JOLT_BANNED(gmtime)

#endif
