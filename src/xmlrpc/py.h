// The few Python semantics upstream's XML-RPC methods lean on when they hand
// request values to Django: str(), repr(), truthiness, and how an integer
// model field converts what it is given. Kept in one place so every method
// reports a bad argument the way upstream does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "xmlrpc/value.h"

namespace pb::xmlrpc {

// str.strip(): ASCII whitespace off both ends.
std::string_view PyStrip(std::string_view s);
// repr(float): shortest round-trip digits, always with a '.' or exponent.
std::string PyFloatRepr(double d);

std::string PyStr(const Value& v);
std::string PyRepr(const Value& v);
bool PyTruthy(const Value& v);
// The Python type name (for TypeError messages): 'str', 'int', ...
std::string_view PyTypeName(const Value& v);

// int(v) as Django's IntegerField.get_prep_value does it; throws PyError
// "Field '<field>' expected a number but got <repr>." like Django.
int64_t DjangoInt(const Value& v, std::string_view field);

// BooleanField.to_python: bools, 0/1 and "t"/"True"/"1"/"f"/"False"/"0";
// anything else throws Django's ValidationError.
bool DjangoBool(const Value& v);

// `value > 0`-style comparisons on max_count: ints and bools compare, other
// types raise TypeError.
int64_t PyCountArg(const Value& v);

// Strict int() of a string; false if it isn't one.
bool ParsePyInt(std::string_view text, int64_t* out);

}  // namespace pb::xmlrpc
