#pragma once
// Checked<T>: a value, or the reason there is none. The engine's validators return these instead of
// throwing, because bad input is data.

#include <string>
#include <utility>
#include <variant>

#include "engine/outcome.hpp"

namespace contactd::engine {

//! Why a value was refused: the remark code and a message that does not yet name the field.
struct Problem {
    Code code;
    std::string message;
};

//! Either a T or a Problem.
template <class T>
class Checked {
  public:
    Checked(T value) : state_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
    Checked(Problem problem) : state_(std::move(problem)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    const Problem& problem() const { return std::get<1>(state_); }

  private:
    std::variant<T, Problem> state_;
};

inline Problem MakeProblem(Code code, std::string message) { return Problem{code, std::move(message)}; }

}  // namespace contactd::engine
