# The source of Resources/OpenAPI/openapi.json (OpenAPI 3.1), served at /api/openapi.json.
# Run `python3 scripts/openapi_source.py` after editing; a Swift test checks that every /api/v1 route is described
# here and that every path described here is routed.
import json, os

def ref(name): return {"$ref": "#/components/schemas/" + name}
def body(schema, required=True): return {"required": required, "content": {"application/json": {"schema": schema}}}
def ok(schema, description="OK"): return {"description": description, "content": {"application/json": {"schema": schema}}}
ERR = {"$ref": "#/components/responses/Error"}
def errors(*codes): return {str(c): ERR for c in codes}
APP_ID = {"name": "appID", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
LINE_ID = {"name": "lineID", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
DOC_ID = {"name": "docID", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
PAGE = {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "default": 1}}
APP = ok(ref("Application"), "The application after the change")
CENTS = {"type": "integer", "minimum": 0, "maximum": 10000000000, "description": "Integer euro cents"}
VERSION = {"type": "integer", "minimum": 1, "description": "The section's version as last read; a stale one gets 409"}
PDF = {"description": "PDF", "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}

def op(summary, op_id, responses, params=None, request=None, description=None):
    o = {"summary": summary, "operationId": op_id, "responses": responses}
    if params: o["parameters"] = params
    if request: o["requestBody"] = request
    if description: o["description"] = description
    return o

localized = {"type": "object", "required": ["fr", "en", "de"], "properties": {l: {"type": "string"} for l in ["fr", "en", "de"]}}
answer = {"description": "text and dates (YYYY-MM-DD) as strings, numbers as integers, yes/no as booleans, themes as a list of codes, the action and the festival category as one code ('none' for no festival); null clears the answer",
          "oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "boolean"}, {"type": "array", "items": {"type": "string"}}, {"type": "null"}]}

schemas = {
    "Localized": localized,
    "Error": {"type": "object", "required": ["error", "message"], "properties": {
        "error": {"type": "string", "description": "unauthorized, invalid, conflict, not_editable, not_signatory, bad_body, blocked, not_found, forbidden"},
        "message": {"type": "string", "description": "In the caller's language (Accept-Language, else the user's language)"},
        "errors": {"type": "array", "items": ref("FieldError")},
        "current_version": {"type": "integer"},
        "results": {"type": "array", "items": ref("RuleResult")}}},
    "FieldError": {"type": "object", "required": ["field", "code", "message"], "properties": {
        "field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}},
    "RuleResult": {"type": "object", "required": ["rule_id", "outcome", "message", "source"], "properties": {
        "rule_id": {"type": "string", "examples": ["COM-07"]}, "outcome": {"type": "string", "enum": ["passed", "failed", "warning"]},
        "message": {"type": "string"}, "source": {"type": "string"}}},
    "Question": {"type": "object", "required": ["code", "section", "type", "required", "label", "max_length"], "properties": {
        "code": {"type": "string"}, "section": {"type": "string"},
        "type": {"type": "string", "enum": ["text", "textarea", "integer", "date", "yes_no", "themes", "cap_category", "action"]},
        "required": {"type": "boolean"}, "label": ref("Localized"), "hint": ref("Localized"), "max_length": {"type": "integer"},
        "max_lines": {"type": "integer"}, "min_value": {"type": "integer"}, "max_value": {"type": "integer"},
        "required_if_yes": {"type": "string"}, "options": {"type": "array", "items": {"type": "string"}}}},
    "CallItem": {"type": "object", "required": ["code", "label"], "properties": {
        "code": {"type": "string"}, "label": ref("Localized"), "required": {"type": "boolean"}, "amount_cents": {"type": "integer"}}},
    "Call": {"type": "object", "required": ["reference", "title", "summary", "programme", "rule_set", "kind", "status", "opens_at", "lead_time_days",
                                            "eligible_legal_forms", "km_rate_cents", "sections"], "properties": {
        "reference": {"type": "string"}, "title": ref("Localized"), "summary": ref("Localized"), "programme": {"type": "string"},
        "rule_set": {"type": "string", "enum": ["communes", "amif"]}, "kind": {"type": "string"}, "status": {"type": "string", "enum": ["published", "closed"]},
        "opens_at": {"type": "string", "format": "date-time"}, "closes_at": {"type": "string", "format": "date-time"},
        "lead_time_days": {"type": "integer"}, "eligible_legal_forms": {"type": "array", "items": {"type": "string"}},
        "max_amount_cents": {"type": "integer"}, "max_rate_basis_points": {"type": "integer"}, "global_budget_cents": {"type": "integer"},
        "km_rate_cents": {"type": "integer"}, "sections": {"type": "array", "items": {"type": "string"}},
        "actions": {"type": "array", "items": {"type": "object", "properties": {"code": {"type": "string"}, "title": ref("Localized"),
                    "envelope_cents": {"type": "integer"}, "max_rate_basis_points": {"type": "integer"}}}},
        "documents": {"type": "array", "items": ref("CallItem")}, "themes": {"type": "array", "items": ref("CallItem")},
        "festival_caps": {"type": "array", "items": ref("CallItem")}, "questions": {"type": "array", "items": ref("Question")}}},
    "CallPage": {"type": "object", "required": ["items", "page", "per_page", "total"], "properties": {
        "items": {"type": "array", "items": ref("Call")}, "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"}}},
    "ApplicationListItem": {"type": "object", "required": ["id", "call", "organisation_id", "status", "title"], "properties": {
        "id": {"type": "string", "format": "uuid"}, "call": {"type": "string"}, "organisation_id": {"type": "string", "format": "uuid"},
        "status": {"type": "string", "enum": ["draft", "submitted", "withdrawn"]}, "reference": {"type": "string"}, "title": {"type": "string"},
        "submitted_at": {"type": "string", "format": "date-time"}}},
    "ApplicationPage": {"type": "object", "required": ["items", "page", "per_page", "total"], "properties": {
        "items": {"type": "array", "items": ref("ApplicationListItem")}, "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"}}},
    "Expense": {"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"}, "category": {"type": "integer", "minimum": 1, "maximum": 8}, "detail": {"type": "string"},
        "justification": {"type": "string"}, "quantity": {"type": "integer"}, "unit_cost_cents": {"type": "integer"}, "function": {"type": "string"},
        "headcount": {"type": "integer"}, "share_basis_points": {"type": "integer"}, "running_cost": {"type": "boolean"},
        "private_car": {"type": "boolean"}, "amount_cents": {"type": "integer"}, "eligible": {"type": "boolean"}}},
    "Revenue": {"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"}, "kind": {"type": "string", "enum": ["own", "subsidy", "sponsorship", "fees", "loan"]},
        "line": {"type": "integer", "enum": [10, 11]}, "source": {"type": "string"}, "detail": {"type": "string"},
        "amount_cents": {"type": "integer"}, "loan_linked": {"type": "boolean"}}},
    "Document": {"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"}, "item": {"type": "string"}, "filename": {"type": "string"}, "content_type": {"type": "string"},
        "size_bytes": {"type": "integer"}, "sha256": {"type": "string"}, "uploaded_at": {"type": "string", "format": "date-time"}}},
    "Application": {"type": "object", "required": ["id", "call", "organisation_id", "status", "title", "sections", "answers", "expenses",
                                                   "revenues", "documents", "totals", "cap"], "properties": {
        "id": {"type": "string", "format": "uuid"}, "call": {"type": "string"}, "organisation_id": {"type": "string", "format": "uuid"},
        "status": {"type": "string", "enum": ["draft", "submitted", "withdrawn"]}, "reference": {"type": "string"}, "title": {"type": "string"},
        "submitted_at": {"type": "string", "format": "date-time"}, "submission_count": {"type": "integer"},
        "sections": {"type": "array", "items": {"type": "object", "properties": {"section": {"type": "string"},
                     "state": {"type": "string", "enum": ["not_started", "in_progress", "completed"]}, "version": {"type": "integer"}}}},
        "applicant": {"type": "object", "additionalProperties": {"type": "string"}},
        "answers": {"type": "object", "additionalProperties": answer},
        "expenses": {"type": "array", "items": ref("Expense")}, "revenues": {"type": "array", "items": ref("Revenue")},
        "previous_subsidies": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"},
                               "project_name": {"type": "string"}, "year": {"type": "integer"}, "granted": {"type": "boolean"}}}},
        "documents": {"type": "array", "items": ref("Document")}, "requested_cents": {"type": "integer"},
        "totals": {"type": "object", "properties": {k: {"type": "integer"} for k in [
            "total_expenses_cents", "not_eligible_cents", "eligible_total_cents", "own_resources_cents", "other_revenues_cents",
            "loans_cents", "total_revenues_cents", "balance_cents"]}},
        "cap": {"type": "object", "properties": {"maximum_cents": {"type": "integer"}, "rule_id": {"type": "string"},
                "message": {"type": "string"}, "request_exceeds_cap": {"type": "boolean"}}},
        "declaration": {"type": "object", "properties": {k: {"type": "string"} for k in ["name", "function", "place", "date"]}}}},
    "ExpenseInput": {"type": "object", "required": ["version", "category", "quantity"], "properties": {
        "version": VERSION, "category": {"type": "integer", "minimum": 1, "maximum": 8}, "detail": {"type": "string", "maxLength": 300},
        "justification": {"type": "string", "maxLength": 1000, "description": "Required for categories 3–8 (COM-27…31, COM-23)"},
        "quantity": {"type": "integer", "minimum": 0, "description": "Units, or kilometres for a private car (COM-26)"},
        "unit_cost_cents": dict(CENTS, description="Not sent for a private car: the call's km rate applies"),
        "function": {"type": "string", "maxLength": 120}, "headcount": {"type": "integer", "minimum": 1},
        "share_basis_points": {"type": "integer", "minimum": 0, "maximum": 10000, "description": "Allocation (COM-25) or rented share (COM-28); 10000 = 100 %"},
        "running_cost": {"type": "boolean"}, "private_car": {"type": "boolean"}}},
    "RevenueInput": {"type": "object", "required": ["version", "kind", "amount_cents"], "properties": {
        "version": VERSION, "kind": {"type": "string", "enum": ["own", "subsidy", "sponsorship", "fees", "loan"]},
        "source": {"type": "string", "maxLength": 200, "description": "Granting body, sponsor or lender"}, "detail": {"type": "string", "maxLength": 300},
        "amount_cents": CENTS, "loan_linked": {"type": "boolean", "description": "Loans only (PAFMI-02)"}}},
    "CheckResult": {"type": "object", "required": ["can_submit", "results"], "properties": {
        "can_submit": {"type": "boolean"}, "maximum_cents": {"type": "integer"}, "results": {"type": "array", "items": ref("RuleResult")}}},
    "Receipt": {"type": "object", "required": ["reference", "version", "submitted_at", "content_sha256", "receipt_pdf", "warnings"], "properties": {
        "reference": {"type": "string", "examples": ["COM-2023-0007"]}, "version": {"type": "integer"},
        "submitted_at": {"type": "string", "format": "date-time"}, "content_sha256": {"type": "string"},
        "receipt_pdf": {"type": "string"}, "warnings": {"type": "array", "items": ref("RuleResult")}}},
}

paths = {
    "/api/v1/calls": {"get": op("List published and closed calls", "listCalls", {"200": ok(ref("CallPage")), **errors(401, 422)},
        params=[PAGE, {"name": "status", "in": "query", "required": False, "schema": {"type": "string", "enum": ["published", "closed"]}}])},
    "/api/v1/calls/{reference}": {"get": op("Read a call with its questions, actions and document checklist", "getCall",
        {"200": ok(ref("Call")), **errors(401, 404)}, params=[{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}])},
    "/api/v1/applications": {
        "get": op("List the applications of the caller's organisations", "listApplications", {"200": ok(ref("ApplicationPage")), **errors(401)}, params=[PAGE]),
        "post": op("Start an application (COM-01, AMIF-04: the organisation's legal form must be eligible)", "createApplication",
                   {"201": ok(ref("Application"), "Created"), **errors(400, 401, 404, 422)},
                   request=body({"type": "object", "required": ["call", "organisation_id"], "properties": {
                       "call": {"type": "string", "description": "The call's reference"}, "organisation_id": {"type": "string", "format": "uuid"}}}))},
    "/api/v1/applications/{appID}": {"get": op("Read an application", "getApplication", {"200": ok(ref("Application")), **errors(401, 404)}, params=[APP_ID])},
    "/api/v1/applications/{appID}/sections/{section}": {"patch": op(
        "Change answers of a question section (optimistic locking by version)", "patchSection", {"200": APP, **errors(400, 401, 404, 409, 422)},
        params=[APP_ID, {"name": "section", "in": "path", "required": True, "schema": {"type": "string", "enum": [
            "project", "relevance", "feasibility", "evaluation", "other_funding"]}}],
        request=body({"type": "object", "required": ["version", "answers"], "properties": {"version": VERSION,
                      "answers": {"type": "object", "additionalProperties": answer}}}),
        description="Only the answers sent change; null clears one. Unknown codes, bad dates, too long texts or more than 15 lines (COM-22) give 422 and change nothing.")},
    "/api/v1/applications/{appID}/applicant": {"put": op("Change the applicant section (address, bank details, contacts, COM-02)", "putApplicant",
        {"200": APP, **errors(400, 401, 404, 409, 422)}, params=[APP_ID],
        request=body({"type": "object", "required": ["version", "fields"], "properties": {"version": VERSION,
                      "fields": {"type": "object", "additionalProperties": {"type": ["string", "boolean"]},
                                 "description": "Names as in the application's 'applicant' object; fields not sent keep their value"}}}))},
    "/api/v1/applications/{appID}/expenses": {"post": op("Add an expense line (categories 1–8, COM-23…31)", "addExpense",
        {"201": APP, **errors(400, 401, 404, 409, 422)}, params=[APP_ID], request=body(ref("ExpenseInput")))},
    "/api/v1/applications/{appID}/expenses/{lineID}": {
        "put": op("Change an expense line", "changeExpense", {"200": APP, **errors(400, 401, 404, 409, 422)}, params=[APP_ID, LINE_ID], request=body(ref("ExpenseInput"))),
        "delete": op("Remove an expense line", "deleteExpense", {"200": APP, **errors(401, 404, 409)}, params=[APP_ID, LINE_ID])},
    "/api/v1/applications/{appID}/budget": {"put": op("Set the requested amount and mark the budget complete", "putBudget",
        {"200": APP, **errors(400, 401, 404, 409, 422)}, params=[APP_ID],
        request=body({"type": "object", "required": ["version"], "properties": {"version": VERSION, "requested_cents": CENTS, "complete": {"type": "boolean"}}}),
        description="A request above the cap is kept and reported in 'cap'; submission refuses it (COM-07, COM-08, AMIF-09, AMIF-02).")},
    "/api/v1/applications/{appID}/revenues": {"post": op("Add a revenue line (10 own resources, 11 other revenues; loans apart, PAFMI-02)", "addRevenue",
        {"201": APP, **errors(400, 401, 404, 409, 422)}, params=[APP_ID], request=body(ref("RevenueInput")))},
    "/api/v1/applications/{appID}/revenues/{lineID}": {
        "put": op("Change a revenue line", "changeRevenue", {"200": APP, **errors(400, 401, 404, 409, 422)}, params=[APP_ID, LINE_ID], request=body(ref("RevenueInput"))),
        "delete": op("Remove a revenue line", "deleteRevenue", {"200": APP, **errors(401, 404, 409)}, params=[APP_ID, LINE_ID])},
    "/api/v1/applications/{appID}/financing": {"put": op("Mark the financing plan complete", "putFinancing", {"200": APP, **errors(400, 401, 404, 409)},
        params=[APP_ID], request=body({"type": "object", "required": ["complete"], "properties": {"complete": {"type": "boolean"}}}))},
    "/api/v1/applications/{appID}/previous-subsidies": {
        "post": op("Add an earlier subsidy (communes call)", "addPreviousSubsidy", {"201": APP, **errors(400, 401, 404, 409, 422)}, params=[APP_ID],
                   request=body({"type": "object", "required": ["project_name", "year", "granted"], "properties": {
                       "project_name": {"type": "string", "maxLength": 200}, "year": {"type": "integer", "minimum": 1990}, "granted": {"type": "boolean"}}})),
        "put": op("Mark the earlier subsidies complete", "putPreviousSubsidies", {"200": APP, **errors(400, 401, 404, 409)}, params=[APP_ID],
                  request=body({"type": "object", "required": ["complete"], "properties": {"complete": {"type": "boolean"}}}))},
    "/api/v1/applications/{appID}/documents": {"post": op("Upload a document of the call's checklist (COM-15, AMIF-07)", "uploadDocument",
        {"201": APP, **errors(401, 404, 409, 413, 422)}, params=[APP_ID],
        request={"required": True, "content": {"multipart/form-data": {"schema": {"type": "object", "required": ["item", "file"], "properties": {
            "item": {"type": "string", "description": "A document code of the call"}, "file": {"type": "string", "format": "binary",
            "description": "PDF, PNG, JPEG, ODT, ODS, DOCX or XLSX, checked by content; not empty; a name not already used; at most the configured size"}}}}}})},
    "/api/v1/applications/{appID}/documents/{docID}": {
        "get": op("Download a document", "downloadDocument", {"200": {"description": "The file as uploaded"}, **errors(401, 404)}, params=[APP_ID, DOC_ID]),
        "delete": op("Remove a document (draft only)", "deleteDocument", {"200": APP, **errors(401, 404, 409)}, params=[APP_ID, DOC_ID])},
    "/api/v1/applications/{appID}/form.pdf": {"get": op("The filled-in application as PDF, for signature", "applicationPdf", {"200": PDF, **errors(401, 404)}, params=[APP_ID])},
    "/api/v1/applications/{appID}/declaration": {"post": op("Confirm the declaration (COM-11: a signatory of the organisation)", "declare",
        {"200": APP, **errors(400, 401, 403, 404, 409, 422)}, params=[APP_ID],
        request=body({"type": "object", "required": ["name", "function", "place", "confirm"], "properties": {
            "name": {"type": "string", "maxLength": 120}, "function": {"type": "string", "maxLength": 120}, "place": {"type": "string", "maxLength": 100},
            "confirm": {"type": "boolean", "const": True}}}))},
    "/api/v1/applications/{appID}/check": {"get": op("Evaluate the call's rules now", "checkApplication", {"200": ok(ref("CheckResult")), **errors(401, 404)}, params=[APP_ID])},
    "/api/v1/applications/{appID}/submit": {"post": op("Submit (422 with the rule results when a rule blocks)", "submitApplication",
        {"201": ok(ref("Receipt"), "Submitted"), **errors(401, 404, 409, 422)}, params=[APP_ID])},
    "/api/v1/applications/{appID}/receipts/{number}": {"get": op("The acknowledgement of receipt of one submitted version, as PDF", "receiptPdf",
        {"200": PDF, **errors(401, 404)}, params=[APP_ID, {"name": "number", "in": "path", "required": True, "schema": {"type": "string", "examples": ["1.pdf"]}}])},
}

doc = {
    "openapi": "3.1.0",
    "info": {"title": "Subsidia API", "version": "1.0.0",
             "description": "Apply for subsidies from another program. The same rules, locking and access as the pages: a token acts as the user who created it "
                            "(account page → API access tokens). Amounts are integer euro cents; instants are ISO 8601; messages follow Accept-Language "
                            "(fr, en, de). Another organisation's application answers 404."},
    "servers": [{"url": "/"}],
    "security": [{"bearer": []}],
    "paths": paths,
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "A personal access token (sbs_…)"}},
        "responses": {"Error": {"description": "An error, with a message in the caller's language", "content": {"application/json": {"schema": ref("Error")}}}},
        "schemas": schemas},
}

out = os.path.join(os.path.dirname(__file__), "..", "Resources", "OpenAPI", "openapi.json")
with open(out, "w", encoding="utf-8") as f:
    json.dump(doc, f, ensure_ascii=False, indent=1, sort_keys=False)
    f.write("\n")
print(f"{len(paths)} paths written")
