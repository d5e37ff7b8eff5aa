// kainjow mustache without the <iostream> it includes and never uses.
//
// A translation unit that includes <iostream> (with g++ 12) gets a static
// std::ios_base::Init, so every process, `patchbay help` and each
// `parsemail` of the MTA pipe included, set up the standard streams and
// their locale before main(): ~49K instructions and ~7 first-touch page
// faults (docs/performance.md §0b, round 5). Nothing in patchbay uses
// std::cin/cout/cerr. Holding <iostream>'s include guard while mustache is
// read keeps it out; were mustache ever to use std::cout, it would no longer
// compile rather than misbehave.
#pragma once

#include <istream>
#include <ostream>

#ifndef _GLIBCXX_IOSTREAM
#define _GLIBCXX_IOSTREAM 1
#define PB_MUSTACHE_HOLDS_IOSTREAM_GUARD
#endif
#include <kainjow/mustache.hpp>
#ifdef PB_MUSTACHE_HOLDS_IOSTREAM_GUARD
#undef _GLIBCXX_IOSTREAM
#undef PB_MUSTACHE_HOLDS_IOSTREAM_GUARD
#endif
