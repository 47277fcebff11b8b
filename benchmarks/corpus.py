"""Synthetic but realistic text for benchmark vaults: vocabulary, names, model numbers, messages.

The words come from the topics a vault holds (appliances, electronics, cars, telecoms, energy,
insurance, software, home services, shipping, billing and support). Every word gets a Zipf-like
weight from its rank (common English words first, then topic words, then a long tail of inflected
forms, names and places), and each message mixes templated sentences about its topic with filler
drawn from the global distribution and from its topic's own distribution, so full-text search sees
what real mail gives it: a few very common terms, a broad middle and a long tail of rare terms,
model numbers and references that occur a handful of times.

Everything is drawn from a ``random.Random`` the caller seeds, so output is repeatable.
"""

from __future__ import annotations

import itertools
import random
import string
from collections.abc import Sequence

# -- words ---------------------------------------------------------------------------------------

COMMON = ["the", "to", "and", "a", "of", "you", "for", "your", "is", "in", "we", "i", "on", "this", "that", "it", "with", "be", "please", "have", "are", "can", "not", "will", "as", "at", "our", "if", "or", "from", "by", "my", "has", "was", "an", "been", "would", "any", "me", "us", "so", "do", "all", "there", "they", "which", "when", "one", "also", "more", "no", "about", "after", "before", "still", "just", "only", "again", "other", "new", "now", "out", "up", "here", "should", "could", "them", "their", "what", "how", "time", "than", "then", "some", "into", "back", "get", "like", "know", "see", "need", "want", "make", "made", "take", "sent", "send", "did", "does", "had", "were", "am", "very", "thank", "thanks", "dear", "hello", "hi", "regards", "kind", "best", "sincerely", "team", "yes", "ok", "today", "tomorrow", "yesterday", "week", "month", "year", "days", "last", "next", "first", "same", "each", "per", "via", "re", "fw", "attached", "below", "above", "following", "further", "information", "details", "number", "date", "reference", "case", "request", "customer", "service", "account", "help", "let", "possible", "soon", "while", "within", "until", "since", "because", "however", "therefore", "unfortunately", "already", "available", "unable", "able", "sure", "note", "call", "email", "mail", "message", "letter", "phone", "reply", "contact", "office"]

TOPICS: dict[str, str] = {
    "appliances": """
washing machine dishwasher fridge freezer refrigerator oven hob cooker extractor hood tumble
dryer microwave kettle toaster vacuum cleaner drum door seal gasket filter pump drain hose inlet
valve heating element thermostat compressor fan motor bearing belt spin cycle programme rinse
detergent drawer shelf ice maker water leak noise vibration temperature frost defrost display
panel knob hinge rack basket spray arm salt rinse aid limescale descaling installation level
installer plumbing socket plug fuse cable wiring energy label capacity load kilogram rpm eco
quick wash cotton synthetics delicates wool steam sensor overheating tripping burning smell
""",
    "electronics": """
laptop notebook tablet smartphone phone television tv monitor screen display speaker soundbar
headphones earbuds router camera lens printer scanner keyboard mouse charger battery adapter
cable port usb hdmi bluetooth wifi firmware update driver software reset factory pixel backlight
panel crack dead stuck flicker boot power button hinge trackpad touchscreen stylus memory storage
ssd drive gigabyte terabyte processor graphics overheating fan noise console controller remote
streaming app pairing connection signal resolution refresh rate warranty serial imei
""",
    "car": """
car vehicle engine gearbox transmission clutch brake pads discs tyres tyre wheel alignment
suspension shock absorbers exhaust catalytic converter oil change service inspection mot mileage
odometer dashboard warning light coolant radiator battery alternator starter motor ignition spark
plugs diesel petrol hybrid electric charging cable wallbox recall dealer garage workshop mechanic
courtesy loan bodywork paint scratch dent windscreen wiper headlight bulb airbag seatbelt sensor
parking camera navigation infotainment key fob immobiliser registration lease finance
""",
    "telecom": """
broadband internet fibre router modem connection speed outage line fault engineer landline mobile
contract sim roaming data allowance minutes texts tariff plan upgrade handset porting number
signal coverage mast network downtime latency ping upload download megabits bandwidth wifi
hotspot voicemail activation cancellation termination notice period bundle tv package channels
set top box installation appointment technician port ethernet static ip dns email address
""",
    "energy": """
electricity gas meter reading smart meter supply tariff kilowatt hours unit rate standing charge
estimated actual bill statement annual consumption usage direct debit fixed variable green
renewable solar panels inverter feed export heat pump boiler radiator hot water cylinder
thermostat heating system pressure gauge flue annual safety check certificate engineer visit
switching supplier account credit debit balance price cap winter summer autumn spring
""",
    "insurance": """
insurance policy premium excess claim cover covered exclusion renewal quote underwriter broker
home contents buildings travel pet health dental life liability accidental damage theft loss
flood fire storm burglary assessor adjuster settlement payout evidence photos police report
crime number declaration schedule endorsement no claims bonus discount cancellation cooling
off period beneficiary documents
""",
    "software": """
subscription licence license seat plan tier monthly annual renewal trial upgrade downgrade
invoice login password reset two factor authentication account locked sync cloud storage backup
restore export import feature bug crash error message version release update install uninstall
compatibility operating system windows macos linux android ios browser extension api integration
support portal knowledge base ticket escalation developer privacy data deletion gdpr
""",
    "home": """
plumber electrician roofer builder carpenter painter decorator gardener cleaner window cleaning
gutter roof tiles leak damp mould ceiling wall floor boards kitchen bathroom shower tap toilet
sink pipe burst blocked drain boiler repair quote estimate deposit materials labour hourly rate
callout fee appointment slot arrival completion snagging guarantee workmanship certificate
scaffolding skip hire fence garden lawn hedge tree surgeon alarm locksmith lock keys
""",
    "shipping": """
order delivery courier parcel package tracking dispatch dispatched shipped shipment warehouse
depot driver signature doorstep neighbour safe place collection point locker missed card
redelivery delayed lost damaged wrong item missing return returns label refund exchange
replacement store click collect basket checkout discount voucher code promotion sale price
match stock backorder preorder estimated arrival postcode address
""",
    "billing": """
invoice payment paid unpaid overdue reminder refund credit note charge charged overcharged
double billing statement balance amount due total subtotal vat tax receipt proof purchase
transaction card bank transfer direct debit standing order iban bic sort code instalment
installment plan late fee penalty dispute chargeback adjustment discount cancelled cancellation
renewal price increase notice terms conditions agreement contract period minimum
""",
    "support": """
ticket case complaint escalation escalated resolved resolution closed reopened pending waiting
response apologise apologies inconvenience investigate investigation update progress feedback
survey satisfaction manager supervisor agent advisor representative specialist department
technical team callback chat transcript queue hold troubleshooting steps diagnose diagnosis fault
faulty defect defective repair repaired replacement replaced engineer visit booked rescheduled
appointment confirmation confirmed goodwill gesture compensation voucher
""",
    "warranty": """
warranty guarantee extended manufacturer cover covered coverage expiry expires expired valid
void proof purchase receipt registration registered serial number model claim claims form
authorised repairer parts labour exclusions wear tear misuse accidental damage terms period
months years start end date certificate transfer second hand consumer rights statutory
""",
}

EXTRA = ["kindly", "appreciate", "understand", "understood", "concerned", "disappointed", "frustrated", "happy", "pleased", "sorry", "urgent", "important", "unfortunately", "immediately", "promptly", "regarding", "concerning", "relating", "attached", "enclosed", "forwarded", "copy", "original", "scanned", "photo", "photos", "picture", "pictures", "video", "evidence", "document", "documents", "form", "forms", "signed", "signature", "verify", "verified", "verification", "security", "question", "identity", "postcode", "address", "moved", "moving", "tenant", "landlord", "property", "flat", "house", "apartment", "garage", "garden", "loft", "basement", "cellar", "utility", "room", "hallway", "bedroom", "living", "dining", "study", "office", "kitchen", "bathroom", "morning", "afternoon", "evening", "weekend", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]

GENERAL = ["able", "absence", "accept", "accepted", "access", "accident", "accordance", "accurate", "achieve", "across", "action", "actually", "added", "addition", "adjust", "advance", "advice", "advise", "affected", "afraid", "agree", "agreed", "ahead", "allow", "allowed", "almost", "alone", "along", "already", "although", "always", "amount", "another", "anyone", "anything", "anyway", "apart", "appear", "apply", "approach", "approval", "approve", "approximately", "area", "arrive", "arrived", "aside", "ask", "asked", "assist", "assistance", "assume", "attempt", "attempts", "attention", "authority", "automatic", "automatically", "average", "avoid", "aware", "away", "background", "bad", "based", "basis", "became", "become", "begin", "behalf", "behind", "believe", "benefit", "better", "between", "beyond", "bit", "block", "board", "body", "bought", "box", "brand", "break", "brief", "bring", "broken", "brought", "build", "built", "business", "busy", "buy", "calculate", "calculated", "calm", "capable", "care", "careful", "carefully", "carried", "carry", "cause", "caused", "certain", "certainly", "chance", "change", "changed", "changes", "charges", "cheap", "choice", "choose", "chosen", "claim", "clear", "clearly", "client", "close", "closed", "code", "cold", "come", "comment", "commercial", "common", "company", "compare", "compared", "complete", "completed", "completely", "condition", "conditions", "consider", "considered", "constant", "continue", "continued", "control", "correct", "correctly", "cost", "costs", "couple", "course", "cover", "created", "current", "currently", "damage", "deal", "decide", "decided", "decision", "default", "delay", "delayed", "delete", "demand", "depend", "describe", "described", "design", "despite", "detail", "determine", "device", "difference", "different", "difficult", "direct", "directly", "discuss", "discussed", "distance", "document", "done", "double", "doubt", "down", "due", "during", "early", "easy", "effect", "effective", "effort", "either", "else", "end", "ended", "ensure", "enter", "entire", "entirely", "equipment", "error", "especially", "even", "evening", "event", "ever", "every", "everything", "exact", "exactly", "example", "except", "excess", "expect", "expected", "expensive", "experience", "explain", "explained", "extra", "fact", "fair", "fairly", "false", "family", "far", "fast", "feel", "felt", "few", "field", "figure", "file", "fill", "final", "finally", "find", "fine", "finish", "fit", "fixed", "follow", "form", "former", "forward", "found", "free", "frequent", "fresh", "front", "full", "fully", "function", "future", "general", "given", "glad", "goes", "gone", "good", "great", "group", "guess", "half", "hand", "handle", "happen", "happened", "hard", "head", "hear", "heard", "held", "help", "helpful", "high", "highly", "hold", "home", "hope", "hoped", "hour", "hours", "house", "however", "idea", "immediate", "impact", "include", "included", "including", "increase", "indeed", "indicate", "individual", "initial", "inside", "instead", "intend", "interest", "internal", "issue", "issued", "item", "items", "itself", "keep", "kept", "key", "kind", "knew", "known", "lack", "large", "late", "later", "least", "leave", "left", "less", "level", "light", "likely", "limit", "limited", "line", "list", "little", "live", "local", "long", "longer", "look", "looked", "looking", "lose", "lot", "low", "main", "mainly", "major", "manage", "manner", "many", "matter", "maybe", "mean", "meant", "measure", "meet", "meeting", "member", "mention", "mentioned", "method", "might", "mind", "minor", "minute", "miss", "missed", "mistake", "moment", "money", "most", "mostly", "much", "must", "name", "near", "nearly", "necessary", "never", "normal", "normally", "nothing", "notice", "noticed", "obviously", "offer", "often", "once", "online", "open", "option", "order", "original", "otherwise", "outside", "own", "part", "particular", "particularly", "party", "pass", "past", "pay", "people", "perhaps", "person", "personal", "picture", "place", "plan", "point", "policy", "position", "positive", "possible", "post", "potential", "practice", "prefer", "present", "pretty", "prevent", "previous", "price", "print", "prior", "private", "probably", "problem", "problems", "process", "produce", "product", "proper", "properly", "provide", "provided", "public", "purpose", "put", "quality", "quickly", "quite", "raise", "range", "rather", "reach", "read", "ready", "real", "really", "reason", "reasonable", "receive", "received", "recent", "recently", "record", "reduce", "regard", "regarding", "regular", "related", "remain", "remember", "remove", "repeat", "report", "require", "required", "response", "rest", "result", "right", "risk", "room", "rule", "run", "safe", "said", "save", "saw", "say", "second", "section", "seem", "seemed", "seen", "sell", "sense", "separate", "serious", "set", "several", "shall", "share", "short", "show", "shown", "side", "sign", "similar", "simple", "simply", "single", "situation", "small", "sort", "source", "specific", "standard", "start", "started", "state", "step", "stop", "strong", "subject", "suggest", "suggested", "support", "supposed", "system", "take", "taken", "talk", "term", "test", "thing", "things", "think", "though", "through", "throughout", "together", "told", "took", "total", "toward", "true", "try", "trying", "turn", "turned", "type", "under", "unless", "usual", "usually", "value", "various", "version", "view", "wait"]

RARE = ["reimbursement", "discrepancy", "acknowledgement", "acknowledge", "reconciliation", "arrears", "apportioned", "ombudsman", "arbitration", "adjudicator", "mediation", "tribunal", "solicitor", "liability", "indemnity", "negligence", "subrogation", "underinsured", "depreciation", "surveyor", "valuation", "appraisal", "salvage", "write-off", "limescale", "condensation", "efflorescence", "subsidence", "asbestos", "insulation", "ventilation", "extractor", "dehumidifier", "humidity", "thermocouple", "solenoid", "capacitor", "relay", "contactor", "transformer", "rectifier", "oscillation", "resonance", "rattling", "squeaking", "grinding", "humming", "buzzing", "clicking", "whining", "knocking", "intermittently", "sporadically", "persistently", "repeatedly", "occasionally", "previously", "subsequently", "alternatively", "additionally", "accordingly", "nevertheless", "notwithstanding", "henceforth", "hereby", "herewith", "aforementioned", "whereas", "thereafter", "forthwith", "pursuant", "thereof", "heretofore", "apologetic", "exasperated", "bewildered", "reassured", "grateful", "dissatisfied", "unacceptable", "inexcusable", "unreasonable", "disproportionate", "satisfactory", "exemplary", "courteous", "dismissive", "unhelpful", "responsive", "firmware", "bootloader", "checksum", "partition", "kernel", "patch", "hotfix", "regression", "rollback", "deprecated", "endpoint", "webhook", "token", "certificate", "encryption", "decryption", "passphrase", "keychain", "authenticator", "throttling", "bandwidth", "latency", "jitter", "packet", "handshake", "gateway", "subnet", "firewall", "proxy", "calibration", "recalibration", "alignment", "realignment", "torque", "camber", "tracking", "balancing", "tread", "puncture", "sidewall", "valve", "stem", "hubcap", "spoiler", "sunroof", "upholstery", "headliner", "dashcam", "tachograph", "homologation", "registration", "logbook", "roadworthiness", "emissions", "particulate", "adblue", "regeneration", "amortisation", "prorated", "pro-rata", "surcharge", "levy", "duty", "tariff", "tariffs", "excise", "remittance", "garnishment", "collections", "bailiff", "creditworthiness", "overdraft", "moratorium", "forbearance", "cooling-off", "rescission", "revocation", "novation", "assignment", "waiver", "stipulation", "addendum", "annex", "appendix", "clause", "subclause", "paragraph", "schedule", "exhibit", "counterpart", "signatory", "witness", "notary", "warehouseman", "consignment", "consignee", "consignor", "manifest", "waybill", "customs", "clearance", "brokerage", "pallet", "crate", "shrinkwrap", "fragile", "perishable", "oversize", "undeliverable", "misrouted", "intercepted", "courier's", "redirected", "forwarding", "poste", "restante", "parcelbox", "doorstep", "pickup", "dropoff", "grout", "sealant", "silicone", "caulk", "joist", "rafter", "purlin", "soffit", "fascia", "flashing", "downpipe", "soakaway", "cesspit", "septic", "macerator", "immersion", "cylinder", "expansion", "vessel", "diverter", "manifold", "underfloor"]

FIRST_NAMES = ["anna", "ben", "carla", "daniel", "eva", "felix", "greta", "hannah", "ivan", "julia", "karl", "lena", "marco", "nina", "oliver", "paula", "quentin", "rosa", "stefan", "tanja", "ulrich", "vera", "walter", "xenia", "yusuf", "zoe", "amelia", "bruno", "chloe", "david", "elena", "finn", "gabriel", "helena", "isabel", "jonas", "katrin", "lukas", "maria", "niklas", "olga", "peter", "ruth", "sophie", "thomas", "ursula", "viktor", "wilhelm", "anja", "bernd", "claudia", "dirk", "emma", "frank", "gisela", "heinz", "ines", "jan", "klaus", "lisa", "michael", "nora", "otto", "petra", "rainer", "sabine", "tim", "uwe", "verena", "wolfgang", "priya", "arjun", "mei", "chen", "hiro", "yuki", "fatima", "omar", "leila", "samir", "aisha", "diego", "lucia", "mateo", "sofia", "liam", "noah", "ava", "mia", "ethan", "james", "olivia", "grace", "harry", "jack"]

LAST_NAMES = ["mueller", "schmidt", "schneider", "fischer", "weber", "meyer", "wagner", "becker", "schulz", "hoffmann", "koch", "richter", "klein", "wolf", "schroeder", "neumann", "schwarz", "zimmermann", "braun", "krueger", "hofmann", "hartmann", "lange", "schmitt", "werner", "krause", "meier", "lehmann", "schmid", "schulze", "maier", "koehler", "herrmann", "koenig", "walter", "mayer", "huber", "kaiser", "fuchs", "peters", "lang", "scholz", "moeller", "weiss", "jung", "hahn", "schubert", "vogel", "friedrich", "keller", "guenther", "frank", "berger", "winkler", "roth", "beck", "lorenz", "baumann", "franke", "albrecht", "schuster", "simon", "ludwig", "boehm", "winter", "kraus", "martin", "smith", "jones", "taylor", "brown", "williams", "wilson", "johnson", "davies", "robinson", "wright", "thompson", "evans", "walker", "white", "roberts", "green", "hall", "wood", "jackson", "clarke", "patel", "khan", "singh", "nguyen", "garcia", "rossi", "dubois", "novak"]

PLACES = ["berlin", "hamburg", "munich", "cologne", "frankfurt", "stuttgart", "leipzig", "dresden", "hanover", "nuremberg", "bremen", "essen", "vienna", "zurich", "basel", "amsterdam", "rotterdam", "brussels", "antwerp", "lyon", "paris", "marseille", "milan", "turin", "madrid", "barcelona", "lisbon", "porto", "dublin", "london", "manchester", "leeds", "bristol", "glasgow", "edinburgh", "cardiff", "oslo", "stockholm", "copenhagen", "helsinki", "warsaw", "prague", "budapest"]

VENDOR_STEMS = ["Kelvora", "Brandtmann", "Aquilon", "Nordlicht", "Vireo", "Solvay", "Hartwig", "Meridian", "Corvex", "Lumina", "Tessaro", "Falkner", "Orbis", "Quintara", "Rheinwerk", "Silvane", "Taurion", "Umbria", "Valdor", "Westholm", "Xantor", "Ysolde", "Zephyra", "Altmark", "Bergmann", "Carlow", "Delmont", "Elbtal", "Fjordic", "Granova", "Helvion", "Isarwerk", "Jadestone", "Kronberg", "Lindqvist", "Moravia", "Northwind", "Oakridge", "Pellucid", "Quarry", "Redwood", "Saxony", "Thornbury", "Uplands", "Vantage", "Waldheim", "Ashford", "Brightwell", "Clearwater", "Dunmore", "Eastgate", "Fairhaven", "Greyfield", "Highbury", "Ironbridge", "Juniper", "Kingsley", "Larchmont", "Millbrook", "Newhaven", "Oldfield", "Pinecrest", "Queensway", "Riverside", "Stonebridge", "Tidewater"]

VENDOR_TAILS: dict[str, list[str]] = {
    "appliances": ["Appliances", "Hausgeraete", "Home Appliances", "Kitchens", "Laundry"],
    "electronics": ["Electronics", "Digital", "Devices", "Audio", "Computers"],
    "car": ["Motors", "Automotive", "Autohaus", "Cars", "Garage"],
    "telecom": ["Telecom", "Broadband", "Mobile", "Networks", "Fibre"],
    "energy": ["Energy", "Power", "Gas & Power", "Stadtwerke", "Solar"],
    "insurance": ["Insurance", "Versicherung", "Assurance", "Mutual", "Cover"],
    "software": ["Software", "Cloud", "Systems", "Labs", "Apps"],
    "home": ["Plumbing", "Roofing", "Building Services", "Electrical", "Gardens"],
    "shipping": ["Retail", "Store", "Shop", "Direct", "Market"],
}
LEGAL_FORMS = ["GmbH", "Ltd", "AG", "BV", "SA", "Inc", "plc", "KG", "SE", ""]

PRODUCTS: dict[str, list[str]] = {
    "appliances": [
        "Washing machine",
        "Dishwasher",
        "Fridge freezer",
        "Tumble dryer",
        "Oven",
        "Induction hob",
        "Cooker hood",
        "Microwave",
        "Coffee machine",
        "Vacuum cleaner",
        "Robot vacuum",
        "Kettle",
    ],
    "electronics": [
        "Laptop",
        "Tablet",
        "Smartphone",
        "Television",
        "Monitor",
        "Soundbar",
        "Headphones",
        "Printer",
        "Router",
        "Camera",
        "Games console",
        "E-reader",
        "Smartwatch",
    ],
    "car": ["Estate car", "Hatchback", "Electric car", "Wallbox charger", "E-bike", "Scooter"],
    "home": [
        "Gas boiler",
        "Heat pump",
        "Solar inverter",
        "Water softener",
        "Alarm system",
        "Garage door opener",
        "Lawn mower",
        "Pressure washer",
        "Smoke detector",
        "Thermostat",
    ],
}
CATEGORIES = {
    "appliances": "Kitchen & laundry",
    "electronics": "Electronics",
    "car": "Vehicles",
    "home": "House & garden",
}
LOCATIONS = [
    "Kitchen",
    "Utility room",
    "Living room",
    "Bedroom",
    "Office",
    "Cellar",
    "Garage",
    "Garden",
    "Bathroom",
    "Loft",
    "Hallway",
    "Holiday flat",
]

# -- templates -----------------------------------------------------------------------------------
# Placeholders: {vendor} {product} {model} {serial} {ref} {amount} {date} {person} {agent}
# {place} {part} {issue} {month} {days} {order}

SUBJECTS: dict[str, list[str]] = {
    "generic": [
        "Re: your enquiry {ref}",
        "Case {ref}: update",
        "Your {vendor} account",
        "Question about {product}",
        "Re: Re: {issue} on {product} {model}",
        "Appointment confirmation {date}",
        "Invoice {order} for {month}",
        "Payment received, thank you",
        "Follow-up on {ref}",
        "Your order {order} has been dispatched",
        "Complaint: {issue}",
        "Warranty claim for {model}",
        "Reminder: {issue}",
        "Call notes {date}",
        "Refund of {amount}",
        "Price change from {date}",
    ],
    "telecom": [
        "Your bill for {month} is ready",
        "Planned maintenance in {place}",
        "Broadband fault {ref}",
        "Engineer visit booked for {date}",
        "Your contract renews on {date}",
        "Data allowance at 80%",
        "Outage in {place}: update",
        "Router replacement {ref}",
        "New tariff offer",
    ],
    "energy": [
        "Meter reading due",
        "Your {month} energy statement",
        "Direct debit change to {amount}",
        "Annual boiler service {date}",
        "Tariff ending on {date}",
        "Smart meter installation",
    ],
}

SENTENCES: dict[str, list[str]] = {
    "generic": [
        "Thank you for contacting {vendor} about your {product}.",
        "Your case reference is {ref}; please quote it in any reply.",
        "We have received your message of {date} and will reply within {days} working days.",
        "I am writing about the {product} model {model}, serial number {serial}.",
        "The {part} stopped working again and the {issue} is back.",
        "As discussed on the phone with {agent}, I am sending the photos and the receipt.",
        "The amount of {amount} will be refunded to the card used for order {order}.",
        "Could you please confirm the appointment on {date} between 8 and 12?",
        "The engineer, {agent}, will bring a replacement {part}.",
        "I still have not heard back since my last message, so I am following up.",
        "We apologise for the inconvenience and have escalated your case to our technical team.",
        "Please find attached the invoice {order} dated {date}.",
        "Our records show the warranty on {model} runs until {date}.",
        "The delivery to {place} was delayed by the courier; the new estimate is {date}.",
        "I would like to cancel the contract at the end of the notice period.",
        "Your payment of {amount} for {month} was received, thank you.",
        "{person} from the {place} office called back and suggested a factory reset.",
        "The error code {serial} appears on the display after a few minutes.",
        "Since {month} the {issue} happens every few days.",
    ],
    "appliances": [
        "The {product} shows error {model} and the drum does not turn.",
        "Water is leaking from under the door seal during the spin cycle.",
        "The compressor of the fridge is very loud at night and the freezer does not hold temperature.",
        "After descaling, the heating element still trips the fuse.",
        "We replaced the drain pump and the filter; please run a test programme.",
    ],
    "electronics": [
        "The screen of the {product} flickers and shows dead pixels near the hinge.",
        "After the firmware update the {product} no longer pairs over bluetooth.",
        "The battery drains within two hours even after a factory reset.",
        "The charger port is loose and the device only charges at an angle.",
    ],
    "car": [
        "The warning light for the brake pads came on at {days} thousand kilometres.",
        "The annual inspection is due; we suggest booking the service with an oil change.",
        "The recall for the airbag sensor applies to your vehicle, chassis {serial}.",
        "The courtesy car is available for the day of the repair.",
    ],
    "telecom": [
        "Our engineer found a line fault between the cabinet and your property in {place}.",
        "The broadband speed dropped to a few megabits every evening this week.",
        "Your mobile contract includes unlimited minutes and 20 gigabytes of data while roaming.",
        "We will send a new router; please return the old one with the prepaid label.",
        "The outage in {place} has been resolved; restart your router if the problem persists.",
    ],
    "energy": [
        "Please submit a meter reading before {date} so that your bill is not estimated.",
        "Your annual consumption was lower than estimated, so your direct debit falls to {amount}.",
        "The fixed tariff ends on {date}; after that the standard variable rate applies.",
        "The boiler pressure gauge drops below one bar overnight.",
    ],
    "insurance": [
        "Your claim {ref} for accidental damage has been accepted minus the excess of {amount}.",
        "The policy renews on {date}; the new premium is {amount} a year.",
        "Please send the police report and the crime number for the theft.",
        "The assessor will contact you to arrange a visit.",
    ],
    "software": [
        "Your subscription renews on {date} at {amount} per seat.",
        "After the latest update the application crashes when exporting to PDF.",
        "We have reset two factor authentication on your account; please sign in again.",
        "Your data export is ready and will be deleted after {days} days.",
    ],
    "home": [
        "The quote for the roof repair is {amount} including materials and labour.",
        "The plumber will arrive between 8 and 10 to look at the blocked drain.",
        "There is damp and mould on the ceiling below the bathroom.",
        "The workmanship guarantee covers the new boiler for {days} months.",
    ],
    "shipping": [
        "Your parcel with order {order} is out for delivery today.",
        "The courier left a card; you can arrange redelivery or collect it from the depot.",
        "The item arrived damaged, so we have issued a return label and a full refund.",
        "The replacement is on backorder until {date}.",
    ],
}
ISSUES = [
    "leak",
    "noise",
    "error message",
    "no power",
    "overheating",
    "slow connection",
    "billing error",
    "double charge",
    "missing refund",
    "late delivery",
    "broken hinge",
    "cracked screen",
    "battery drain",
    "intermittent fault",
    "wrong item",
    "warranty refusal",
    "estimated bill",
    "contract renewal",
    "price increase",
    "outage",
    "login problem",
    "spam calls",
    "data request",
]
PARTS = [
    "door seal",
    "drain pump",
    "heating element",
    "control board",
    "compressor",
    "hinge",
    "power supply",
    "battery",
    "screen",
    "charging port",
    "router",
    "filter",
    "motor",
    "thermostat",
    "valve",
    "fan",
    "display",
    "keyboard",
    "bearing",
    "sensor",
]
GREETINGS = [
    "Dear {person},",
    "Hello {person},",
    "Hi {person},",
    "Good morning,",
    "Dear customer,",
    "Hello,",
]
CLOSINGS = [
    "Kind regards, {agent}, {vendor} customer care",
    "Best regards, {person}",
    "Thanks, {person}",
    "Yours sincerely, {agent}",
    "Regards, {agent} ({vendor} support)",
    "Many thanks, {person}",
]
MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

OFFER_LINES = [
    "Exclusive offer for {person}: save 20% on {product} this weekend only.",
    "Upgrade to our new tariff and get three months free.",
    "Your loyalty voucher {ref} is worth {amount} until {date}.",
    "Black Friday deals on {product}: prices from {amount}.",
    "Extend the warranty on your {model} for five more years.",
    "Refer a friend and both of you get {amount} credit.",
]


VERBS = set(
    ["repair", "replace", "install", "cancel", "refund", "charge", "deliver", "dispatch", "return", "confirm", "book", "schedule", "update", "upgrade", "reset", "restart", "call", "email", "send", "receive", "check", "test", "clean", "connect", "disconnect", "register", "claim", "pay", "bill", "ship", "leak", "crash", "fail", "freeze", "overheat", "fix", "order", "request", "reply", "answer", "contact", "visit", "inspect", "service", "quote", "estimate", "escalate", "resolve", "close", "open", "wait", "follow", "pair", "sync", "drain", "heat", "cool", "load", "print", "scan", "stream", "renew", "switch", "move", "arrange", "collect", "sign", "verify", "export", "import", "delete", "restore"]
)


_NO_PLURAL = (
    "s",
    "ed",
    "ing",
    "al",
    "ic",
    "ous",
    "ful",
    "ly",
    "ive",
    "able",
    "ible",
    "ent",
    "ant",
    "ar",
    "ow",
)


def _inflect(word: str) -> list[str]:
    """Plurals of nouns, and for verbs the -s/-ed/-ing forms (the tokenizer does not stem)."""
    if len(word) < 3 or not word.isalpha():
        return []
    if word in VERBS:
        if word.endswith("e"):
            return [word + "s", word + "d", word[:-1] + "ing"]
        if word.endswith("y") and word[-2] not in "aeiou":
            return [word[:-1] + "ies", word[:-1] + "ied", word + "ing"]
        if word.endswith(("x", "ch", "sh")):
            return [word + "es", word + "ed", word + "ing"]
        return [word + "s", word + "ed", word + "ing"]
    if word.endswith(_NO_PLURAL):
        return []
    if word.endswith(("x", "ch", "sh")):
        return [word + "es"]
    if word.endswith("y") and word[-2] not in "aeiou":
        return [word[:-1] + "ies"]
    return [word + "s"]


class Vocabulary:
    """Every word with a Zipf weight by rank, and per topic a distribution of its own."""

    def __init__(self, rng: random.Random, exponent: float = 1.05) -> None:
        topic_words = {t: list(dict.fromkeys(ws.split())) for t, ws in TOPICS.items()}
        seen: set[str] = set()
        ranked: list[str] = []

        def add(words: Sequence[str]) -> None:
            for w in words:
                if w not in seen:
                    seen.add(w)
                    ranked.append(w)

        add(COMMON)
        middle = [w for ws in topic_words.values() for w in ws] + EXTRA + GENERAL
        rng.shuffle(middle)
        add(middle)
        nouns = [w for ws in topic_words.values() for w in ws]
        tail = [f for w in nouns for f in _inflect(w)] + RARE + FIRST_NAMES + LAST_NAMES + PLACES
        tail += [w.lower() for w in VENDOR_STEMS]
        rng.shuffle(tail)
        add(tail)
        self.words = ranked
        self.rank = {w: i for i, w in enumerate(ranked)}
        weights = [1.0 / (i + 2.7) ** exponent for i in range(len(ranked))]
        self.cum = list(itertools.accumulate(weights))
        self.topic_words = {}
        self.topic_cum = {}
        for topic, ws in topic_words.items():
            ws = list(ws) + [f for w in ws for f in _inflect(w)]
            rng.shuffle(ws)
            self.topic_words[topic] = ws
            self.topic_cum[topic] = list(
                itertools.accumulate(1.0 / (i + 1.5) for i in range(len(ws)))
            )

    def __len__(self) -> int:
        return len(self.words)

    def sample(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum, k=k)

    def sample_topic(self, rng: random.Random, topic: str, k: int) -> list[str]:
        return rng.choices(self.topic_words[topic], cum_weights=self.topic_cum[topic], k=k)

    def by_rank(self, lo: int, hi: int) -> list[str]:
        return self.words[lo:hi]


# -- identifiers ---------------------------------------------------------------------------------

_UP = string.ascii_uppercase
_DIG = string.digits


def model_number(rng: random.Random) -> str:
    """Model numbers in the shapes makers use: WM14N2G0, KGN39VI45, XR-5500, HX 240/8."""
    shape = rng.randrange(5)
    if shape == 0:
        return (
            "".join(rng.choice(_UP) for _ in range(2))
            + str(rng.randrange(10, 99))
            + rng.choice(_UP)
            + str(rng.randrange(10))
            + rng.choice(_UP)
            + str(rng.randrange(10))
        )
    if shape == 1:
        return (
            "".join(rng.choice(_UP) for _ in range(3))
            + str(rng.randrange(10, 99))
            + "".join(rng.choice(_UP) for _ in range(2))
            + str(rng.randrange(10, 99))
        )
    if shape == 2:
        return "".join(rng.choice(_UP) for _ in range(2)) + "-" + str(rng.randrange(100, 9999))
    if shape == 3:
        return rng.choice(_UP) + rng.choice(_UP) + str(rng.randrange(100, 999)) + rng.choice(_UP)
    return "".join(rng.choice(_UP) for _ in range(3)) + str(rng.randrange(1000, 99999))


def serial_number(rng: random.Random) -> str:
    return "".join(rng.choice(_UP + _DIG) for _ in range(rng.randrange(8, 14)))


def reference(rng: random.Random, prefix: str, year: int) -> str:
    return f"{prefix}-{year}-{rng.randrange(1, 999999):06d}"


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES).title()} {rng.choice(LAST_NAMES).title()}"


# -- messages ------------------------------------------------------------------------------------


class TextMaker:
    """Subjects and bodies of about ``body_bytes`` bytes on a topic."""

    def __init__(self, vocab: Vocabulary, body_bytes: int = 600) -> None:
        self.vocab = vocab
        self.body_bytes = body_bytes

    def _slots(self, rng: random.Random, ctx: dict[str, str]) -> dict[str, str]:
        year = int(ctx.get("year", "2020"))
        return {
            "vendor": ctx.get("vendor", "the vendor"),
            "product": ctx.get("product", "device"),
            "model": ctx.get("model") or model_number(rng),
            "serial": ctx.get("serial") or serial_number(rng),
            "ref": ctx.get("ref") or reference(rng, "CS", year),
            "order": ctx.get("order") or f"{rng.randrange(10**7, 10**8)}",
            "amount": f"{rng.randrange(5, 2500)}.{rng.randrange(100):02d} EUR",
            "date": f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
            "person": ctx.get("person") or person(rng),
            "agent": person(rng),
            "place": rng.choice(PLACES).title(),
            "part": rng.choice(PARTS),
            "issue": rng.choice(ISSUES),
            "month": rng.choice(MONTH_NAMES),
            "days": str(rng.randrange(2, 30)),
        }

    def subject(self, rng: random.Random, topic: str, ctx: dict[str, str]) -> str:
        pool = SUBJECTS.get(topic) if rng.random() < 0.4 else None
        template = rng.choice(pool or SUBJECTS["generic"])
        return template.format(**self._slots(rng, ctx))

    def filler(self, rng: random.Random, topic: str | None, n: int) -> str:
        if topic and topic in self.vocab.topic_words:
            k = max(1, n // 3)
            words = self.vocab.sample(rng, n - k) + self.vocab.sample_topic(rng, topic, k)
            rng.shuffle(words)
        else:
            words = self.vocab.sample(rng, n)
        words[0] = words[0].capitalize()
        return " ".join(words) + "."

    def body(
        self, rng: random.Random, topic: str, ctx: dict[str, str], size: int | None = None
    ) -> str:
        target = size or max(120, int(rng.lognormvariate(0, 0.45) * self.body_bytes * 0.9))
        slots = self._slots(rng, ctx)
        parts = [rng.choice(GREETINGS).format(**slots)]
        topical = SENTENCES.get(topic, [])
        length = len(parts[0])
        while length < target - 60:
            roll = rng.random()
            if roll < 0.35 and topical:
                sentence = rng.choice(topical).format(**slots)
            elif roll < 0.6:
                sentence = rng.choice(SENTENCES["generic"]).format(**slots)
            else:
                sentence = self.filler(rng, topic, rng.randrange(6, 18))
            parts.append(sentence)
            length += len(sentence) + 1
        parts.append(rng.choice(CLOSINGS).format(**slots))
        return " ".join(parts)

    def offer(self, rng: random.Random, ctx: dict[str, str]) -> str:
        slots = self._slots(rng, ctx)
        lines = rng.sample(OFFER_LINES, k=2)
        return (
            " ".join(line.format(**slots) for line in lines)
            + " "
            + self.filler(rng, None, rng.randrange(8, 20))
        )

    def note(self, rng: random.Random, topic: str | None, words: tuple[int, int] = (6, 30)) -> str:
        return self.filler(rng, topic, rng.randrange(*words))
