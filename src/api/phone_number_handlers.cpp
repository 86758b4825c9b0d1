#include "api/api.hpp"
#include "api/context.hpp"
#include "api/respond.hpp"
#include "domain/phone_number_service.hpp"

namespace parley::api {

// Seed 003 "Phone Numbers": carriers of the organization's own (BYOC) and its numbers on them.
// Carriers hold credentials, so only owner and admin keys change them.
void AddPhoneNumberRoutes(std::vector<RouteSpec>& routes, Services& s) {
    auto& numbers = s.phone_numbers;

    routes.push_back({"GET", "/api/v1/phone-numbers/carriers", [&numbers](Ctx& ctx) {
                          return RespondPage(
                              ctx, "car_", [&](const auto& page) { return numbers.ListCarriers(ctx.principal, page); },
                              [](const auto& c) { return c.id; });
                      }});
    routes.push_back({"POST", "/api/v1/phone-numbers/carriers",
                      [&numbers](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(numbers.CreateCarrier(ctx.principal, *body), ctx, 201);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson, 0, Roles::kManagers});
    routes.push_back({"GET", "/api/v1/phone-numbers/carriers/:id", [&numbers](Ctx& ctx) {
                          return Respond(numbers.GetCarrier(ctx.principal, ctx.Param("id")), ctx);
                      }});
    routes.push_back({"PATCH", "/api/v1/phone-numbers/carriers/:id",
                      [&numbers](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(numbers.UpdateCarrier(ctx.principal, ctx.Param("id"), *body), ctx);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson, 0, Roles::kManagers});
    routes.push_back(
        {"POST", "/api/v1/phone-numbers/carriers/:id/test",
         [&numbers](Ctx& ctx) { return Respond(numbers.TestCarrier(ctx.principal, ctx.Param("id")), ctx); },
         Access::kWrite, RateClass::kStandard, BodyKind::kJson, 0, Roles::kManagers});
    routes.push_back({"DELETE", "/api/v1/phone-numbers/carriers/:id",
                      [&numbers](Ctx& ctx) {
                          return RespondDeleted(numbers.DeleteCarrier(ctx.principal, ctx.Param("id")), ctx,
                                                ctx.Param("id"));
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kNone, 0, Roles::kManagers});

    routes.push_back(
        {"GET", "/api/v1/phone-numbers", [&numbers](Ctx& ctx) {
             return RespondPage(
                 ctx, "pn_",
                 [&](const auto& page) { return numbers.ListNumbers(ctx.principal, ctx.Query("carrier_id"), page); },
                 [](const auto& n) { return n.id; });
         }});
    routes.push_back({"POST", "/api/v1/phone-numbers",
                      [&numbers](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(numbers.CreateNumber(ctx.principal, *body), ctx, 201);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    routes.push_back({"GET", "/api/v1/phone-numbers/:id", [&numbers](Ctx& ctx) {
                          return Respond(numbers.GetNumber(ctx.principal, ctx.Param("id")), ctx);
                      }});
    routes.push_back({"PATCH", "/api/v1/phone-numbers/:id",
                      [&numbers](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(numbers.UpdateNumber(ctx.principal, ctx.Param("id"), *body), ctx);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    routes.push_back({"DELETE", "/api/v1/phone-numbers/:id",
                      [&numbers](Ctx& ctx) {
                          return RespondDeleted(numbers.DeleteNumber(ctx.principal, ctx.Param("id")), ctx,
                                                ctx.Param("id"));
                      },
                      Access::kWrite});
}

}  // namespace parley::api
