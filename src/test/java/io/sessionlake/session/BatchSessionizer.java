package io.sessionlake.session;

import io.sessionlake.feed.Event;
import io.sessionlake.feed.EventTypes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The test oracle: one batch sessionization of a set of events, written the obvious way (sort, split on
 * gaps longer than the timeout), independent of the incremental code it checks.
 */
final class BatchSessionizer {
    private BatchSessionizer() {
    }

    static List<Session> sessionize(Collection<Event> events, long inactivityMicros) {
        Map<Long, List<Event>> byCustomer = new TreeMap<>();
        for (Event e : events) {
            byCustomer.computeIfAbsent(e.customerId(), c -> new ArrayList<>()).add(e);
        }
        List<Session> out = new ArrayList<>();
        for (Map.Entry<Long, List<Event>> c : byCustomer.entrySet()) {
            List<Event> sorted = new ArrayList<>(c.getValue());
            sorted.sort(Comparator.comparingLong(Event::timeMicros).thenComparingLong(Event::id));
            List<Event> current = new ArrayList<>();
            int number = 0;
            for (Event e : sorted) {
                if (!current.isEmpty() && e.timeMicros() - current.get(current.size() - 1).timeMicros() > inactivityMicros) {
                    out.add(session(c.getKey(), current, ++number));
                    current = new ArrayList<>();
                }
                current.add(e);
            }
            if (!current.isEmpty()) {
                out.add(session(c.getKey(), current, ++number));
            }
        }
        return out;
    }

    private static Session session(long customer, List<Event> events, int number) {
        Event first = events.get(0);
        String page = events.stream().map(Event::page).filter(p -> p != null).findFirst().orElse(null);
        String referrer = events.stream().map(Event::referrer).filter(r -> r != null && !r.isEmpty()).findFirst()
                .orElse(null);
        return new Session(OpenSession.idFor(customer, first.id(), first.timeMicros()), customer, first.timeMicros(),
                events.get(events.size() - 1).timeMicros(), events.size(), count(events, EventTypes.PAGE_VIEW),
                count(events, EventTypes.SEARCH), count(events, EventTypes.ADD_TO_CART),
                count(events, EventTypes.REMOVE_FROM_CART), count(events, EventTypes.PLACED_ORDER), page, referrer,
                ReferrerHosts.hostOf(referrer), first.userAgent(), first.ip(), number);
    }

    private static int count(List<Event> events, String type) {
        return (int) events.stream().filter(e -> e.type().equals(type)).count();
    }
}
